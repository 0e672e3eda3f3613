package dev.odim.core.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.AuditQuery;
import dev.odim.core.audit.Outcome;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin listing's filters are answered from an index. Sequential scans are switched off for the
 * check: on a small test table the planner would rightly prefer them, and the point is that an
 * index exists that it can use at any size.
 */
@ExtendWith(PostgresExtension.class)
class QueryPlansTest {
  private static Db db;
  private static PostgresAuditLog audit;

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    audit = (PostgresAuditLog) AuditLog.builder(db).build();
    for (int i = 0; i < 50; i++) {
      audit.record(
          AuditEvent.builder(i % 2 == 0 ? "payment.succeeded" : "auth.login")
              .actor("user:" + i % 5)
              .target("payment:" + i)
              .summary("event " + i)
              .build());
    }
    db.useTransaction(h -> h.execute("ANALYZE odim_audit.audit_log"));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static String plan(AuditQuery query, Long before) {
    PostgresAuditLog.Select select = audit.select(query, before);
    return db.inTransaction(
        h -> {
          h.execute("SET LOCAL enable_seqscan = off");
          List<String> lines =
              select.bindAll(h.createQuery("EXPLAIN " + select.sql())).mapTo(String.class).list();
          return String.join("\n", lines);
        });
  }

  @Test
  void eachFilterUsesItsIndex() {
    assertThat(plan(AuditQuery.builder().actor("user:1").build(), null))
        .contains("audit_log_by_actor");
    assertThat(plan(AuditQuery.builder().target("payment:7").build(), 40L))
        .contains("audit_log_by_target");
    assertThat(plan(AuditQuery.builder().action("auth.login").build(), null))
        .contains("audit_log_by_action");
    assertThat(plan(AuditQuery.builder().actionPrefix("payment").build(), null))
        .contains("audit_log_by_action");
    assertThat(plan(AuditQuery.builder().outcome(Outcome.DENIED).build(), null))
        .contains("audit_log_by_outcome");
    assertThat(
            plan(
                AuditQuery.builder()
                    .from(Instant.parse("2026-01-01T00:00:00Z"))
                    .to(Instant.parse("2026-01-02T00:00:00Z"))
                    .build(),
                null))
        .contains("audit_log_by_time");
    assertThat(plan(AuditQuery.latest(), 30L)).contains("audit_log_pkey");
  }
}
