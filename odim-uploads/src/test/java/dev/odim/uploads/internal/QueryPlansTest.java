package dev.odim.uploads.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.uploads.UploadAccess;
import dev.odim.uploads.Uploads;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queries that run per request (by id, the quota sum), per heartbeat (lease renewal) and per
 * clean-up (expired uploads) have indexes: with sequential scans priced out, no plan uses one.
 */
@ExtendWith(PostgresExtension.class)
class QueryPlansTest {
  @TempDir Path directory;

  @Test
  void hotQueriesUseIndexes(TestDatabase database) throws Exception {
    try (Db db = Db.builder(database.jdbcUrlWithCredentials()).build()) {
      Uploads.builder(db).directory(directory).access(UploadAccess.anonymous()).build().close();
      UploadTable table = new UploadTable(db, "odim_uploads", JsonMapper.builder().build());
      try (Connection connection = db.dataSource().getConnection()) {
        assertUsesIndexes(connection, table.byId, UUID.randomUUID());
        assertUsesIndexes(connection, table.measure, "owner");
        assertUsesIndexes(
            connection,
            table.renew,
            5_000L,
            connection.createArrayOf("text", new Object[] {"a/1", "a/2"}));
        assertUsesIndexes(connection, table.expired, OffsetDateTime.now(), 500);
      }
    }
  }

  private static void assertUsesIndexes(Connection connection, String query, Object... parameters)
      throws SQLException {
    String positional = query.replaceAll("(?<!:):[a-z]+", "?");
    List<String> plan = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET enable_seqscan = off");
    }
    try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + positional)) {
      int expected = explain.getParameterMetaData().getParameterCount();
      for (int i = 0; i < expected; i++) {
        explain.setObject(i + 1, parameters[Math.min(i, parameters.length - 1)]);
      }
      try (ResultSet rows = explain.executeQuery()) {
        while (rows.next()) {
          plan.add(rows.getString(1));
        }
      }
    } finally {
      try (Statement statement = connection.createStatement()) {
        statement.execute("RESET enable_seqscan");
      }
    }
    assertThat(plan).as(String.join("\n", plan)).noneMatch(line -> line.contains("Seq Scan"));
  }
}
