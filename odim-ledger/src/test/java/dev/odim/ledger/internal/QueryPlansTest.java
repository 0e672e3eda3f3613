package dev.odim.ledger.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.ledger.Ledger;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every query that runs per request has an index to serve it: with sequential scans priced out,
 * each plan must still avoid them. A query whose filter no index covers plans a Seq Scan even then,
 * and fails here.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlansTest {
  private Db db;
  private LedgerSql sql;

  @BeforeAll
  void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    Ledger.builder(db).expiryInterval(Duration.ZERO).build().close();
    sql = new LedgerSql("odim_ledger");
  }

  @AfterAll
  void close() {
    db.close();
  }

  @Test
  void readsOfTheApiUseIndexes() throws SQLException {
    UUID id = UUID.randomUUID();
    assertUsesIndexes(sql.balance, id);
    assertUsesIndexes(sql.balanceAsOf, Instant.now().toString(), id);
    assertUsesIndexes(sql.balanceAfter, id, id, id, id);
    assertUsesIndexes(sql.history, id, 10L, 11);
    assertUsesIndexes(sql.transferById, id);
  }

  @Test
  void locksOfTheWritePathUseIndexes() throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      var ids =
          connection.createArrayOf("uuid", new Object[] {UUID.randomUUID(), UUID.randomUUID()});
      assertUsesIndexes(sql.lockTransfers, ids);
      assertUsesIndexes(sql.lockAccounts, ids);
    }
  }

  /** {@code parameters} in the order they appear in the query; the last one fills the rest. */
  private void assertUsesIndexes(String query, Object... parameters) throws SQLException {
    // Jdbi's named parameters (":id") become positional ones, as Jdbi itself sends them.
    String positional = query.replaceAll("(?<!:):[a-z]+", "?");
    List<String> plan = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection()) {
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
    }
    assertThat(plan).as(String.join("\n", plan)).noneMatch(line -> line.contains("Seq Scan"));
  }
}
