package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.server.OdimServer;
import dev.odim.server.internal.payment.CreatorAccounts;
import dev.odim.server.internal.payment.Subscriptions;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A subscription paid once renews itself: at the end of each month the card it was paid with is
 * charged again (once per period, however often the renewal job runs), a declined card leaves it
 * past due, an outage only delays it, and a cancelled one ends with its period. The card's
 * authorization code is stored only encrypted. The clock is the server's settable one: moving it
 * past a period's end is what makes the renewal due.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecurringSubscriptionTest {
  private static final Map<String, String> SIMULATOR_KEY =
      Map.of("Authorization", "Bearer " + OdimServer.SIMULATOR_SECRET_KEY);
  private static final long PRICE = 200_000;
  private static final long CREATOR_SHARE = 180_000; // 10% platform fee

  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  /** A fan subscribed and paid: the subscription active for its first month. */
  private record Paid(Session creator, Session fan, UUID subscriptionId, String reference) {}

  private Paid subscribeAndPay() throws Exception {
    Session creator = platform.signup("creator");
    Answer tier =
        platform.send(
            "POST", "/api/creators/me/tiers", Map.of("name", "Gold", "amount", PRICE), creator);
    assertThat(tier.status()).isEqualTo(201);
    Session fan = platform.signup("fan");
    Answer subscribed =
        platform.send(
            "POST",
            "/api/subscriptions",
            Map.of("tierId", tier.body().get("id").asText()),
            fan,
            Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    assertThat(subscribed.status()).as(subscribed.response().body()).isEqualTo(201);
    String reference = subscribed.body().get("reference").asText();
    UUID id = UUID.fromString(subscribed.body().get("subscriptionId").asText());
    control("/_control/pay", Map.of("reference", reference, "outcome", "success"));
    await().atMost(Duration.ofSeconds(20)).until(() -> "active".equals(row(id, "status")));
    return new Paid(creator, fan, id, reference);
  }

  private void control(String path, Map<String, Object> body) throws Exception {
    Answer answer = platform.send("POST", "/sim/paystack" + path, body, null);
    assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
  }

  /** The transaction Paystack (the simulator) has under {@code reference}, or null. */
  private JsonNode paystackTransaction(String reference) throws Exception {
    Answer answer =
        platform.send(
            "GET", "/sim/paystack/transaction/verify/" + reference, null, null, SIMULATOR_KEY);
    return answer.status() == 404 ? null : answer.body().get("data");
  }

  private Object row(UUID subscriptionId, String column) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery("SELECT " + column + " FROM odim_server.subscriptions WHERE id = :id")
                    .bind("id", subscriptionId)
                    .mapToMap()
                    .one()
                    .get(column));
  }

  private long count(String sql, Object... binds) {
    return platform
        .server
        .db()
        .withHandle(
            h -> {
              var query = h.createQuery(sql);
              for (int i = 0; i < binds.length; i++) {
                query.bind(i, binds[i]);
              }
              return query.mapTo(Long.class).one();
            });
  }

  private long creatorCredits(Session creator) {
    return count(
        "SELECT coalesce(sum(credits_posted), 0) FROM odim_ledger.accounts WHERE id = ?",
        CreatorAccounts.of(creator.userId()));
  }

  private Instant periodEnd(UUID subscriptionId) {
    return ((java.sql.Timestamp)
            platform
                .server
                .db()
                .withHandle(
                    h ->
                        h.createQuery(
                                "SELECT current_period_end FROM odim_server.subscriptions"
                                    + " WHERE id = :id")
                            .bind("id", subscriptionId)
                            .mapTo(java.sql.Timestamp.class)
                            .one()))
        .toInstant();
  }

  private void moveClockPast(Instant instant) {
    if (platform.clock.instant().isBefore(instant.plusSeconds(60))) {
      platform.clock.set(instant.plusSeconds(60));
    }
  }

  private int period(UUID subscriptionId) {
    return ((Number) row(subscriptionId, "current_period")).intValue();
  }

  @Test
  void theFirstPaymentSavesTheCardEncryptedAndStartsAMonthLongPeriod() throws Exception {
    Instant before = platform.clock.instant();
    Paid paid = subscribeAndPay();

    assertThat(periodEnd(paid.subscriptionId()))
        .isEqualTo(before.atZone(java.time.ZoneOffset.UTC).plusMonths(1).toInstant());
    String code =
        paystackTransaction(paid.reference())
            .get("authorization")
            .get("authorization_code")
            .asText();
    String stored = (String) row(paid.subscriptionId(), "authorization_encrypted");
    assertThat(stored).isNotBlank().doesNotContain(code);
    assertThat((String) row(paid.subscriptionId(), "card_last4_encrypted"))
        .isNotBlank()
        .doesNotContain("4081");
    assertThat(DatabaseDump.everything(platform.server.db()))
        .as("the authorization code anywhere in the database")
        .doesNotContain(code);
    // The fan sees the card as brand and last four digits, and nothing that can charge it.
    Answer listed = platform.send("GET", "/api/subscriptions", null, paid.fan());
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.response().body()).doesNotContain(code);
    JsonNode mine = listed.body().get("subscriptions");
    assertThat(mine).hasSize(1);
    assertThat(mine.get(0).get("id").asText()).isEqualTo(paid.subscriptionId().toString());
    assertThat(mine.get(0).get("status").asText()).isEqualTo("active");
    assertThat(mine.get(0).get("renews").asBoolean()).isTrue();
    assertThat(mine.get(0).get("cardBrand").asText()).isEqualTo("visa");
    assertThat(mine.get(0).get("cardLast4").asText()).isEqualTo("4081");
    // Another fan lists only their own.
    Session other = platform.signup("fan");
    assertThat(platform.send("GET", "/api/subscriptions", null, other).body().get("subscriptions"))
        .isEmpty();
  }

  @Test
  void theRenewalChargesTheSavedCardOnceForItsPeriodHoweverOftenItsJobRuns() throws Exception {
    Paid paid = subscribeAndPay();
    UUID id = paid.subscriptionId();
    String renewal = Subscriptions.renewalReference(id, 2);
    moveClockPast(periodEnd(id));

    // Besides the job the activation scheduled, eight copies of it enqueued at once, as other
    // instances or a replay might: they all run on the worker's ten threads together.
    try (PostgresBackend backend =
        PostgresBackend.builder(platform.server.db()).clock(platform.clock).build()) {
      JobQueue queue = JobQueue.builder(backend).clock(platform.clock).build();
      ExecutorService threads = Executors.newFixedThreadPool(8);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> copies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        copies.add(
            threads.submit(
                () -> {
                  go.await();
                  return queue.enqueue(
                      NewJob.of(Subscriptions.RENEWAL_JOB, Subscriptions.renewalPayload(id, 2))
                          .queue(Subscriptions.RENEWAL_QUEUE));
                }));
      }
      go.countDown();
      for (Future<?> copy : copies) {
        copy.get();
      }
      threads.shutdown();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> period(id) == 2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM odim_queue.jobs WHERE type = ?"
                            + " AND payload::text LIKE ?",
                        Subscriptions.RENEWAL_JOB,
                        "%" + id + "%")
                    == 1); // the copies are spent; only the next period's job is left
    assertThat(paystackTransaction(renewal).get("status").asText()).isEqualTo("success");
    assertThat(paystackTransaction(Subscriptions.renewalReference(id, 3))).isNull();
    assertThat(
            count(
                "SELECT count(*) FROM odim_payments.payment_intents WHERE purpose_id = ?"
                    + " AND status = 'succeeded'",
                id.toString()))
        .isEqualTo(2);
    assertThat(creatorCredits(paid.creator())).isEqualTo(2 * CREATOR_SHARE);
    assertThat(
            count(
                "SELECT count(*) FROM odim_server.subscription_renewals WHERE subscription_id = ?"
                    + " AND status = 'succeeded'",
                id))
        .isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log WHERE action = 'subscription.renewed'"
                    + " AND target = ?",
                "subscription:" + id))
        .isEqualTo(1);
    assertThat(periodEnd(id))
        .isEqualTo(
            ((java.sql.Timestamp) row(id, "activated_at"))
                .toInstant()
                .atZone(java.time.ZoneOffset.UTC)
                .plusMonths(2)
                .toInstant());
    assertThat(row(id, "status")).isEqualTo("active");
    // The next period's job waits for the new period end, once.
    assertThat(
            count(
                "SELECT count(*) FROM odim_queue.jobs WHERE type = ? AND payload::text LIKE ?"
                    + " AND run_at = (SELECT current_period_end FROM odim_server.subscriptions"
                    + " WHERE id = ?)",
                Subscriptions.RENEWAL_JOB,
                "%" + id + "\",\"period\":3%",
                id))
        .isEqualTo(1);
  }

  @Test
  void twoInstancesRacingForTheSameRenewalChargeItOnce(TestDatabase database) throws Exception {
    Paid paid = subscribeAndPay();
    UUID id = paid.subscriptionId();
    // A second instance on the same database, talking to the same (simulated) Paystack.
    try (SecureServer second =
        new SecureServer(
            database,
            Map.of(
                "PAYSTACK_SECRET_KEY",
                OdimServer.SIMULATOR_SECRET_KEY,
                "PAYSTACK_BASE_URL",
                platform.server.baseUri().resolve("/sim/paystack").toString()),
            api -> {})) {
      Instant end = periodEnd(id);
      // Both instances' workers see the job and its copies due at the same moment.
      moveClockPast(end);
      second.clock.set(platform.clock.instant());
      try (PostgresBackend backend =
          PostgresBackend.builder(platform.server.db()).clock(platform.clock).build()) {
        JobQueue queue = JobQueue.builder(backend).clock(platform.clock).build();
        for (int i = 0; i < 20; i++) {
          queue.enqueue(
              NewJob.of(Subscriptions.RENEWAL_JOB, Subscriptions.renewalPayload(id, 2))
                  .queue(Subscriptions.RENEWAL_QUEUE));
        }
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> period(id) == 2);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  count(
                          "SELECT count(*) FROM odim_queue.jobs WHERE type = ?"
                              + " AND payload::text LIKE ?",
                          Subscriptions.RENEWAL_JOB,
                          "%" + id + "\",\"period\":2%")
                      == 0);
    }
    assertThat(paystackTransaction(Subscriptions.renewalReference(id, 2)).get("status").asText())
        .isEqualTo("success");
    assertThat(creatorCredits(paid.creator())).isEqualTo(2 * CREATOR_SHARE);
    assertThat(
            count(
                "SELECT count(*) FROM odim_payments.payment_transitions WHERE reference = ?"
                    + " AND to_status = 'succeeded'",
                Subscriptions.renewalReference(id, 2)))
        .isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log WHERE action = 'subscription.renewed'"
                    + " AND target = ?",
                "subscription:" + id))
        .isEqualTo(1);
    assertThat(period(id)).isEqualTo(2);
  }

  @Test
  void aDeclinedRenewalLeavesTheSubscriptionPastDueWithAnAuditEntry() throws Exception {
    Paid paid = subscribeAndPay();
    UUID id = paid.subscriptionId();
    String code =
        paystackTransaction(paid.reference())
            .get("authorization")
            .get("authorization_code")
            .asText();
    control("/_control/authorization", Map.of("authorizationCode", code, "declines", true));

    moveClockPast(periodEnd(id));

    await().atMost(Duration.ofSeconds(30)).until(() -> "past_due".equals(row(id, "status")));
    String renewal = Subscriptions.renewalReference(id, 2);
    assertThat(paystackTransaction(renewal).get("status").asText()).isEqualTo("failed");
    assertThat(
            count(
                "SELECT count(*) FROM odim_payments.payment_intents WHERE reference = ?"
                    + " AND status = 'failed'",
                renewal))
        .isEqualTo(1);
    assertThat(period(id)).isEqualTo(1);
    assertThat(creatorCredits(paid.creator())).isEqualTo(CREATOR_SHARE);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log"
                    + " WHERE action = 'subscription.renewal_declined' AND target = ?",
                "subscription:" + id))
        .isEqualTo(1);
    Session fan = platform.login(paid.fan().email(), paid.fan().password());
    assertThat(
            platform
                .send("GET", "/api/subscriptions", null, fan)
                .body()
                .get("subscriptions")
                .get(0)
                .get("status")
                .asText())
        .isEqualTo("past_due");
  }

  @Test
  void duringAPaystackOutageTheRenewalIsRetriedAndSucceedsAfterIt() throws Exception {
    Paid paid = subscribeAndPay();
    UUID id = paid.subscriptionId();
    control("/_control/faults", Map.of("outage", true));
    try {
      moveClockPast(periodEnd(id));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  count(
                          "SELECT count(*) FROM odim_queue.jobs WHERE type = ?"
                              + " AND payload::text LIKE ? AND jsonb_array_length(history) >= 1",
                          Subscriptions.RENEWAL_JOB,
                          "%" + id + "\",\"period\":2%")
                      == 1);
      assertThat(period(id)).isEqualTo(1);
      assertThat(row(id, "status")).isEqualTo("active");
    } finally {
      control("/_control/faults", Map.of("outage", false));
    }

    // The retry is due after its backoff (at most six hours); the circuit breaker may still be
    // open for a while after the outage, which only means another retry later.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              platform.clock.advance(Duration.ofHours(7));
              return period(id) == 2;
            });
    assertThat(paystackTransaction(Subscriptions.renewalReference(id, 2)).get("status").asText())
        .isEqualTo("success");
    assertThat(creatorCredits(paid.creator())).isEqualTo(2 * CREATOR_SHARE);
    assertThat(row(id, "status")).isEqualTo("active");
  }

  @Test
  void aCancelledSubscriptionEndsWithItsPeriodAndIsNotChargedAgain() throws Exception {
    Paid paid = subscribeAndPay();
    UUID id = paid.subscriptionId();
    Session stranger = platform.signup("fan");
    Answer refused = platform.send("DELETE", "/api/subscriptions/" + id, null, stranger);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(row(id, "renews")).isEqualTo(true);
    assertThat(
            platform
                .send("DELETE", "/api/subscriptions/" + UUID.randomUUID(), null, paid.fan())
                .status())
        .isEqualTo(403);

    Answer cancelled = platform.send("DELETE", "/api/subscriptions/" + id, null, paid.fan());
    assertThat(cancelled.status()).as(cancelled.response().body()).isEqualTo(200);
    assertThat(cancelled.body().get("renews").asBoolean()).isFalse();
    assertThat(cancelled.body().get("status").asText()).isEqualTo("active");
    // Again: nothing more happens, and one audit entry says who stopped it.
    assertThat(platform.send("DELETE", "/api/subscriptions/" + id, null, paid.fan()).status())
        .isEqualTo(200);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log WHERE action = 'subscription.cancelled'"
                    + " AND target = ? AND actor = ?",
                "subscription:" + id,
                "user:" + paid.fan().userId()))
        .isEqualTo(1);

    moveClockPast(periodEnd(id));

    await().atMost(Duration.ofSeconds(30)).until(() -> "ended".equals(row(id, "status")));
    assertThat(paystackTransaction(Subscriptions.renewalReference(id, 2))).isNull();
    assertThat(creatorCredits(paid.creator())).isEqualTo(CREATOR_SHARE);
    assertThat(
            count(
                "SELECT count(*) FROM odim_queue.jobs WHERE type = ? AND payload::text LIKE ?",
                Subscriptions.RENEWAL_JOB,
                "%" + id + "%"))
        .isZero();
  }
}
