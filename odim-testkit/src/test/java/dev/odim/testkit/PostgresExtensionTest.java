package dev.odim.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresExtensionTest {
  static final AtomicInteger TEMPLATE_RUNS = new AtomicInteger();

  static PostgresExtension migrated() {
    return PostgresExtension.fromTemplate(
        "testkit_sample",
        db -> {
          TEMPLATE_RUNS.incrementAndGet();
          try (Connection connection = db.connect();
              Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes (body text)");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Nested
  class FirstClass {
    @RegisterExtension static final PostgresExtension POSTGRES = migrated();

    @Test
    void getsTheTemplatesTables(TestDatabase db) throws SQLException {
      execute(db, "INSERT INTO notes VALUES ('written by the first class')");
      assertThat(count(db)).isEqualTo(1);
    }
  }

  @Nested
  class SecondClass {
    @RegisterExtension static final PostgresExtension POSTGRES = migrated();

    @Test
    void startsFromACleanCloneAndTheTemplateWasPreparedOnce(TestDatabase db) throws SQLException {
      assertThat(count(db)).isZero();
      assertThat(TEMPLATE_RUNS).hasValue(1);
    }
  }

  private static void execute(TestDatabase db, String sql) throws SQLException {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(TestDatabase db) throws SQLException {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM notes")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
