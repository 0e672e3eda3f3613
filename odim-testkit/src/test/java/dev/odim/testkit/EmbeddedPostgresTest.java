package dev.odim.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

  @Test
  void secondStartOnTheSameDataDirectoryKeepsTheData(@TempDir Path dir) throws SQLException {
    Path data = dir.resolve("pg");
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().dataDirectory(data).durable(false).start()) {
      execute(pg, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives a restart')");
    }
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().dataDirectory(data).durable(false).start()) {
      assertThat(queryString(pg, "SELECT value FROM kept")).isEqualTo("survives a restart");
    }
  }

  @Test
  void serverOrphanedByAKilledRunIsStoppedAndTheDataDirectoryReused(@TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("unused"));
    // Not normalized on purpose, like ./odim-data/postgres: PostgreSQL records the normalized path
    // in postmaster.pid, and recovery must still recognise its own server (a bug once).
    Path data = dir.resolve("unused/../pg");
    // The first server is never closed, as if its JVM had been killed: its process and its
    // postmaster.pid stay behind.
    EmbeddedPostgres orphan =
        EmbeddedPostgres.builder()
            .dataDirectory(data)
            .durable(false)
            .registerShutdownHook(false)
            .start();
    execute(orphan, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('before the kill')");
    assertThat(data.resolve("postmaster.pid")).exists();

    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().dataDirectory(data).durable(false).start()) {
      assertThat(orphan.isRunning()).isFalse();
      assertThat(queryString(pg, "SELECT value FROM kept")).isEqualTo("before the kill");
    }
  }

  @Test
  void lockFileWhoseProcessIsGoneIsRemoved(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().dataDirectory(data).durable(false).start()) {
      execute(pg, "SELECT 1");
    }
    // A pid that is certainly not running any more: a finished child of ours.
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Files.writeString(data.resolve("postmaster.pid"), finished.pid() + "\n" + data + "\n");

    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().dataDirectory(data).durable(false).start()) {
      assertThat(queryString(pg, "SELECT 'up'")).isEqualTo("up");
    }
  }

  @Test
  void temporaryServerDeletesItsDataOnClose() throws SQLException {
    Path data;
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().durable(false).start()) {
      data = pg.dataDirectory();
      assertThat(queryString(pg, "SHOW server_version")).startsWith("17.");
    }
    assertThat(data).doesNotExist();
  }

  private static void execute(EmbeddedPostgres pg, String sql) throws SQLException {
    try (Connection connection = pg.connect("postgres");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String queryString(EmbeddedPostgres pg, String sql) throws SQLException {
    try (Connection connection = pg.connect("postgres");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
