package dev.odim.queue.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The statements that run per job or per request have the indexes they need. The tables hold a
 * realistic mix (due and future jobs in two priorities, leased jobs, keys, dead letters), and
 * sequential scans are priced out: a statement whose filter no index serves still plans a Seq Scan,
 * and fails here.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlansTest {
  private static final Pattern NAMED_PARAMETER = Pattern.compile("(?<!:):([a-zA-Z]+)");
  private static final String NOW = "2026-01-01T00:00:00Z";

  private Db db;
  private QueueSql sql;

  @BeforeAll
  void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    PostgresBackend.builder(db).schema("plans").listen(false).build().close();
    sql = new QueueSql("plans");
    db.useTransaction(
        handle -> {
          handle.execute(
              """
              INSERT INTO plans.jobs (id, queue, type, payload, priority, run_at, max_attempts,
                backoff, dedup_key, ordering_key, created_at)
              SELECT gen_random_uuid(), CASE WHEN i % 10 = 0 THEN 'mail' ELSE 'default' END, 't',
                '{}', CASE WHEN i % 3 = 0 THEN 5 ELSE 0 END,
                timestamptz '2026-01-01' + (i % 4 - 1) * interval '1 hour', 10, 'exp:1:2:FULL',
                CASE WHEN i % 7 = 0 THEN 'd' || i END, CASE WHEN i % 11 = 0 THEN 'o' || i % 50 END,
                timestamptz '2026-01-01'
              FROM generate_series(1, 20000) i
              """);
          handle.execute(
              """
              UPDATE plans.jobs SET lease_token = gen_random_uuid(), lease_worker = 'w',
                leased_at = run_at - interval '30 seconds', attempts = 1
              WHERE run_at > timestamptz '2026-01-01' AND priority = 5
              """);
          handle.execute(
              """
              INSERT INTO plans.dead_letters (id, queue, type, payload, priority, run_at,
                attempts, max_attempts, backoff, created_at, history, reason, died_at)
              SELECT gen_random_uuid(), 'default', 't' || i % 5, '{}', 0, timestamptz '2026-01-01',
                3, 3, 'exp:1:2:FULL', timestamptz '2026-01-01', '[]', 'x',
                timestamptz '2026-01-01' - i * interval '1 minute'
              FROM generate_series(1, 5000) i
              """);
          handle.execute("ANALYZE plans.jobs");
          handle.execute("ANALYZE plans.dead_letters");
        });
  }

  @AfterAll
  void close() {
    db.close();
  }

  @Test
  void theLeaseReadsEachPriorityAsARangeEndingAtNow() throws SQLException {
    List<String> plan =
        plan(
            sql.lease,
            Map.of(
                "queue", "default",
                "max", 50,
                "worker", "w",
                "now", NOW,
                "until", "2026-01-01T00:00:30Z"));

    assertThat(String.join("\n", plan))
        .as("jobs scheduled for later are outside the range, so never scanned")
        .containsPattern(
            "Index Scan using jobs_fetch_order on jobs \\w+ .*\n\\s+Index Cond: \\(\\(queue = .*\\)"
                + " AND \\(priority = \\w+\\.priority\\) AND \\(run_at <= ");
  }

  @Test
  void theLeaseKeepsItsCachedGenericPlan(TestDatabase database) {
    // one connection, so that every lease runs the same server-side prepared statement
    try (Db single = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(1).build()) {
      Leases leases = new Leases(single, sql, "plans_enqueued");
      for (int i = 0; i < 20; i++) {
        leases.lease("nothing-due", 1 + i % 7, "w", Duration.ofSeconds(30), Instant.parse(NOW));
      }

      Map<String, Object> plans =
          single.withHandle(
              h ->
                  h.createQuery(
                          "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                              + " WHERE statement LIKE '%priorities%'")
                      .mapToMap()
                      .one());

      assertThat(plans)
          .as("PostgreSQL tries five custom plans, then keeps the generic one")
          .containsEntry("custom_plans", 5L);
      assertThat((Long) plans.get("generic_plans")).isGreaterThanOrEqualTo(10);
    }
  }

  @Test
  void thePerJobWritesUseIndexes() throws SQLException {
    Map<String, Object> batch =
        Map.of(
            "ids",
            uuids(3),
            "tokens",
            uuids(3),
            "now",
            NOW,
            "until",
            NOW,
            "channel",
            "plans_enqueued");
    Map<String, Object> one =
        Map.of(
            "id",
            UUID.randomUUID(),
            "token",
            UUID.randomUUID(),
            "runAt",
            NOW,
            "now",
            NOW,
            "attempt",
            "[]",
            "reason",
            "x");
    plan(sql.complete, batch);
    plan(sql.heartbeat, batch);
    plan(sql.release, batch);
    plan(sql.completeOne, one);
    plan(sql.retry, one);
    plan(sql.deadLetter, one);
  }

  @Test
  void enqueueFindsConflictsByIndex() throws SQLException {
    Map<String, Object> jobs =
        Map.ofEntries(
            Map.entry("ids", uuids(2)),
            Map.entry("queues", texts("default", "default")),
            Map.entry("types", texts("t", "t")),
            Map.entry("payloads", texts("{}", "{}")),
            Map.entry("priorities", new Integer[] {0, 0}),
            Map.entry("runAts", texts(NOW, NOW)),
            Map.entry("maxAttempts", new Integer[] {3, 3}),
            Map.entry("backoffs", texts("exp:1:2:FULL", "exp:1:2:FULL")),
            Map.entry("timeouts", new Long[] {null, null}),
            Map.entry("dedupKeys", texts("d7", null)),
            Map.entry("orderingKeys", texts(null, "o1")),
            Map.entry("now", NOW),
            Map.entry("channel", "plans_enqueued"));
    // enqueue is bound by position (Enqueuer runs it over plain JDBC): now, the arrays, channel,
    // now
    plan(
        sql.enqueue,
        List.of(
            NOW,
            jobs.get("ids"),
            jobs.get("queues"),
            jobs.get("types"),
            jobs.get("payloads"),
            jobs.get("priorities"),
            jobs.get("runAts"),
            jobs.get("maxAttempts"),
            jobs.get("backoffs"),
            jobs.get("timeouts"),
            jobs.get("dedupKeys"),
            jobs.get("orderingKeys"),
            "plans_enqueued",
            NOW));
    plan(sql.existingJobs, jobs);
  }

  @Test
  void theAdminReadsUseIndexes() throws SQLException {
    plan(sql.counts, Map.of("queue", "default", "now", NOW));
    plan(sql.queues, Map.of());
    plan(sql.job, Map.of("id", UUID.randomUUID()));
    plan(sql.replay, Map.of("ids", uuids(2), "now", NOW, "channel", "plans_enqueued"));
    plan(sql.discard, Map.of("ids", uuids(2)));
    plan(sql.purgeDeadLetters, Map.of("before", NOW));
    plan(sql.lastFired, Map.of("name", "hourly"));
    String newest = " ORDER BY died_at DESC, id DESC LIMIT :limit";
    plan(sql.deadLetterListing + newest, Map.of("limit", 101));
    plan(sql.deadLetterListing + " AND queue = :queue" + newest, Map.of("queue", "d", "limit", 9));
    plan(sql.deadLetterListing + " AND type = :type" + newest, Map.of("type", "t1", "limit", 9));
    plan(
        sql.deadLetterListing
            + " AND (died_at, id) < (:cursorDiedAt::timestamptz, :cursorId)"
            + newest,
        Map.of("cursorDiedAt", NOW, "cursorId", UUID.randomUUID(), "limit", 9));
  }

  /**
   * The plan of a statement in Jdbi's named form, bound as Jdbi binds it; fails on a Seq Scan.
   * Arrays are given as Java arrays of UUID, String, Integer or Long.
   */
  private List<String> plan(String named, Map<String, Object> values) throws SQLException {
    Matcher parameter = NAMED_PARAMETER.matcher(named);
    List<String> order = new ArrayList<>();
    StringBuilder positional = new StringBuilder();
    while (parameter.find()) {
      order.add(parameter.group(1));
      parameter.appendReplacement(positional, "?");
    }
    parameter.appendTail(positional);
    List<Object> ordered = new ArrayList<>();
    for (String name : order) {
      ordered.add(values.get(name));
    }
    return plan(positional.toString(), ordered);
  }

  /** The plan of a statement with positional parameters, bound in order. */
  private List<String> plan(String positional, List<Object> values) throws SQLException {
    List<String> plan = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET enable_seqscan = off");
      }
      try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + positional)) {
        for (int i = 0; i < values.size(); i++) {
          explain.setObject(i + 1, jdbc(connection, values.get(i)));
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
    return plan;
  }

  private static Object jdbc(Connection connection, Object value) throws SQLException {
    return switch (value) {
      case UUID[] ids -> array(connection, "uuid", ids);
      case String[] texts -> array(connection, "text", texts);
      case Integer[] ints -> array(connection, "int4", ints);
      case Long[] longs -> array(connection, "int8", longs);
      default -> value;
    };
  }

  private static Array array(Connection connection, String type, Object[] elements)
      throws SQLException {
    return connection.createArrayOf(type, elements);
  }

  private static UUID[] uuids(int n) {
    UUID[] ids = new UUID[n];
    for (int i = 0; i < n; i++) {
      ids[i] = UUID.randomUUID();
    }
    return ids;
  }

  private static String[] texts(String... texts) {
    return texts;
  }
}
