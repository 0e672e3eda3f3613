package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.ledger.Ledger;
import dev.odim.server.internal.payment.CreatorAccounts;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.paystack.PaystackSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Money going out, over HTTP against the real server and a Paystack simulator of this test's own
 * that settles transfers and refunds only when told ({@code /_control/pay}), so each outcome is
 * chosen: a creator earns from a fan's subscription and is paid out once, a failed transfer puts
 * the money back, an outage only delays payouts, concurrent payouts never overdraw; admins refund
 * in full and in part, and disputes hold the creator's money until resolved. Every test ends with
 * the ledger's {@code verify()} and the dashboard's figures adding up.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoneyOutTest {
  private static final String KEY = "sk_test_money_out";
  private static final long PRICE = 200_000;
  private static final long SHARE = 180_000; // 10% platform fee
  private static final String PAYOUTS = "/api/creators/me/payouts";
  private static final String DASHBOARD = "/api/creators/me/dashboard";

  private PaystackSimulator simulator;
  private SecureServer platform;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(TestDatabase database) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    simulator =
        PaystackSimulator.builder()
            .secretKey(KEY)
            .webhookUrl(URI.create("http://127.0.0.1:" + port + "/webhooks/paystack"))
            .settlePayoutsManually(true)
            .build()
            .start(0);
    platform =
        new SecureServer(
            database,
            Map.of("PAYSTACK_SECRET_KEY", KEY, "PAYSTACK_BASE_URL", simulator.baseUri().toString()),
            api -> {},
            port);
  }

  @AfterAll
  void stop() {
    platform.close();
    simulator.close();
  }

  @AfterEach
  void ledgerStillBalances() {
    try (Ledger ledger = Ledger.builder(platform.server.db()).build()) {
      assertThat(ledger.verify()).isEmpty();
    }
  }

  // ---- the scenarios ----

  @Test
  void aCreatorIsPaidOutOnceAndTheDashboardAddsUp() throws Exception {
    Earned earned = earn();
    Session creator = earned.creator();

    Answer noAccount = payout(creator, 100_000, UUID.randomUUID().toString());
    assertThat(noAccount.status()).isEqualTo(409);
    assertThat(noAccount.code()).isEqualTo("payout_account_missing");
    setPayoutAccount(creator);
    Answer tooMuch = payout(creator, SHARE + 1, UUID.randomUUID().toString());
    assertThat(tooMuch.status()).isEqualTo(422);
    assertThat(tooMuch.code()).isEqualTo("insufficient_balance");
    assertThat(tooMuch.body().get("available").asLong()).isEqualTo(SHARE);
    assertThat(tooMuch.body().get("requested").asLong()).isEqualTo(SHARE + 1);
    assertThat(payoutRows(creator)).as("refusals write nothing").isZero();

    String key = UUID.randomUUID().toString();
    Answer accepted = payout(creator, 100_000, key);
    assertThat(accepted.status()).as(accepted.response().body()).isEqualTo(202);
    assertThat(accepted.body().get("status").asText()).isEqualTo("requested");
    assertThat(accepted.body().get("amount").asLong()).isEqualTo(100_000);
    String reference = accepted.body().get("reference").asText();
    Answer retried = payout(creator, 100_000, key);
    assertThat(retried.status()).isEqualTo(202);
    assertThat(retried.body().get("reference").asText()).isEqualTo(reference);
    assertThat(payoutRows(creator)).isEqualTo(1);

    awaitTransferAtPaystack(reference);
    JsonNode held = dashboard(creator);
    assertThat(held.get("available").asLong()).isEqualTo(SHARE - 100_000);
    assertThat(held.at("/held/payouts").asLong()).isEqualTo(100_000);
    assertThat(held.at("/held/total").asLong()).isEqualTo(100_000);

    simulator("/_control/pay", Map.of("reference", reference, "outcome", "success"));
    awaitPayoutStatus(creator, reference, "paid");

    JsonNode after = dashboard(creator);
    assertThat(after.get("available").asLong()).isEqualTo(SHARE - 100_000);
    assertThat(after.at("/held/total").asLong()).isZero();
    assertThat(after.get("earned").asLong()).isEqualTo(SHARE);
    assertThat(after.get("paidOut").asLong()).isEqualTo(100_000);
    assertThat(after.get("recentPayments").get(0).get("reference").asText())
        .isEqualTo(earned.reference());
    assertThat(after.get("recentPayments").get(0).get("creatorShare").asLong()).isEqualTo(SHARE);
    assertThat(after.get("recentPayouts").get(0).get("status").asText()).isEqualTo("paid");
    assertAddsUp(after);
    assertThat(audited("creator.payout.requested", "payout:" + reference)).isEqualTo(1);
    assertThat(audited("payout.paid", "payout:" + reference)).isEqualTo(1);
    assertThat(transfersAtPaystack(reference)).isEqualTo(1);
  }

  @Test
  void aFailedTransferPutsTheMoneyBackOnTheBalance() throws Exception {
    Session creator = earn().creator();
    setPayoutAccount(creator);
    String reference =
        payout(creator, 150_000, UUID.randomUUID().toString()).body().get("reference").asText();
    awaitTransferAtPaystack(reference);
    assertThat(dashboard(creator).get("available").asLong()).isEqualTo(SHARE - 150_000);

    simulator("/_control/pay", Map.of("reference", reference, "outcome", "failed"));
    awaitPayoutStatus(creator, reference, "failed");

    JsonNode after = dashboard(creator);
    assertThat(after.get("available").asLong()).isEqualTo(SHARE);
    assertThat(after.at("/held/total").asLong()).isZero();
    assertThat(after.get("paidOut").asLong()).isZero();
    assertAddsUp(after);
    assertThat(audited("payout.failed", "payout:" + reference)).isEqualTo(1);
  }

  @Test
  void aReversedTransferPutsAPaidPayoutBackAndEveryEventIsAuditedOnceThoughDeliveredTwice()
      throws Exception {
    Session creator = earn().creator();
    setPayoutAccount(creator);
    simulator("/_control/faults", Map.of("webhookDuplicateRate", 1.0));
    try {
      String reference =
          payout(creator, 120_000, UUID.randomUUID().toString()).body().get("reference").asText();
      awaitTransferAtPaystack(reference);
      simulator("/_control/pay", Map.of("reference", reference, "outcome", "success"));
      awaitPayoutStatus(creator, reference, "paid");
      assertThat(dashboard(creator).get("paidOut").asLong()).isEqualTo(120_000);

      simulator("/_control/pay", Map.of("reference", reference, "outcome", "reversed"));
      awaitPayoutStatus(creator, reference, "reversed");
      // Both events processed, and every copy delivered (the inbox keeps one row per event).
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  count(
                              "SELECT count(*) FROM odim_webhooks.inbox"
                                  + " WHERE convert_from(body, 'UTF8') LIKE ? AND status = 'processed'",
                              "%" + reference + "%")
                          == 2
                      && simulatorGet("/_control/state").at("/data/webhooks/pending").asLong()
                          == 0);

      JsonNode after = dashboard(creator);
      assertThat(after.get("available").asLong()).isEqualTo(SHARE);
      assertThat(after.get("paidOut").asLong()).isZero();
      assertAddsUp(after);
      assertThat(audited("payout.paid", "payout:" + reference)).isEqualTo(1);
      assertThat(audited("payout.reversed", "payout:" + reference)).isEqualTo(1);
    } finally {
      simulator("/_control/faults", Map.of("webhookDuplicateRate", 0.0));
    }
  }

  @Test
  void payoutsAskedForDuringAnOutageAreQueuedAndPaidOnceWhenPaystackIsBack() throws Exception {
    Session creator = earn().creator();
    setPayoutAccount(creator);
    simulator("/_control/faults", Map.of("outage", true));
    List<String> references = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Answer accepted = payout(creator, 50_000, UUID.randomUUID().toString());
        assertThat(accepted.status()).as(accepted.response().body()).isEqualTo(202);
        references.add(accepted.body().get("reference").asText());
      }
      // The sends are tried (and fail) while Paystack is down; nothing reaches it.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> attemptedSends(references) >= references.size());
    } finally {
      simulator("/_control/faults", Map.of("outage", false));
    }
    // No check for "none sent yet" here: a retry whose jittered backoff came out near zero can be
    // on its way the moment Paystack is back, and that is allowed. What counts is that each payout
    // reaches Paystack exactly once in the end, checked below.

    // Retries are due by the server's clock (backoff, or the breaker's wait): move it along.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              platform.clock.advance(Duration.ofMinutes(1));
              return references.stream().allMatch(r -> transfersAtPaystack(r) == 1);
            });
    for (String reference : references) {
      simulator("/_control/pay", Map.of("reference", reference, "outcome", "success"));
    }
    for (String reference : references) {
      awaitPayoutStatus(creator, reference, "paid");
      assertThat(transfersAtPaystack(reference)).as(reference).isEqualTo(1);
    }
    // Newest first, two to a page.
    Answer first = platform.send("GET", PAYOUTS + "?limit=2", null, creator);
    assertThat(first.body().get("payouts")).hasSize(2);
    Answer second =
        platform.send(
            "GET",
            PAYOUTS + "?limit=2&cursor=" + first.body().get("nextCursor").asText(),
            null,
            creator);
    assertThat(second.body().get("payouts")).hasSize(1);
    assertThat(second.body().get("nextCursor").isNull()).isTrue();
    List<String> listed =
        new ArrayList<>(first.body().get("payouts").findValuesAsText("reference"));
    listed.addAll(second.body().get("payouts").findValuesAsText("reference"));
    assertThat(listed).containsExactlyInAnyOrderElementsOf(references);
    assertThat(platform.send("GET", PAYOUTS + "?cursor=bogus", null, creator).status())
        .isEqualTo(400);
    assertThat(platform.send("GET", PAYOUTS + "?limit=0", null, creator).status()).isEqualTo(400);

    JsonNode after = dashboard(creator);
    assertThat(after.get("paidOut").asLong()).isEqualTo(150_000);
    assertThat(after.get("available").asLong()).isEqualTo(SHARE - 150_000);
    assertAddsUp(after);
    assertThat(
            count(
                "SELECT count(*) FROM odim_queue.dead_letters WHERE payload::text LIKE ?",
                "%" + references.get(0) + "%"))
        .isZero();
  }

  @Test
  void concurrentPayoutsNeverOverdrawTheBalance() throws Exception {
    Session creator = earn().creator();
    setPayoutAccount(creator);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> answers = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int i = 0; i < threads; i++) {
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return payout(creator, 100_000, UUID.randomUUID().toString());
                }));
      }
      go.countDown();
      int accepted = 0;
      int refused = 0;
      for (Future<Answer> answer : answers) {
        Answer a = answer.get();
        if (a.status() == 202) {
          accepted++;
        } else {
          assertThat(a.status()).as(a.response().body()).isEqualTo(422);
          assertThat(a.code()).isEqualTo("insufficient_balance");
          refused++;
        }
      }
      assertThat(accepted).isEqualTo(1);
      assertThat(refused).isEqualTo(threads - 1);
    }
    assertThat(payoutRows(creator)).isEqualTo(1);
    assertThat(
            count(
                "SELECT coalesce(sum(amount_minor), 0) FROM odim_payments.payouts"
                    + " WHERE creator_account = ?",
                CreatorAccounts.of(creator.userId())))
        .isEqualTo(100_000);
    JsonNode after = dashboard(creator);
    assertThat(after.get("available").asLong()).isEqualTo(SHARE - 100_000);
    assertAddsUp(after);
  }

  @Test
  void adminsRefundInPartThenInFullAndTheCreatorGivesBackTheirPart() throws Exception {
    Earned earned = earn();
    Session admin = platform.admin();
    String payment = earned.reference();

    Answer missingKey = platform.send("POST", refundsOf(payment), Map.of("amount", 50_000), admin);
    assertThat(missingKey.status()).isEqualTo(400);
    assertThat(missingKey.code()).isEqualTo("idempotency_key_missing");
    Answer tooMuch = refund(admin, payment, PRICE + 1);
    assertThat(tooMuch.status()).isEqualTo(422);
    assertThat(tooMuch.code()).isEqualTo("refund_exceeds_payment");
    assertThat(tooMuch.body().get("refundable").asLong()).isEqualTo(PRICE);
    Answer unknown = refund(admin, "no-such-payment", 1L);
    assertThat(unknown.status()).isEqualTo(404);

    Answer partial = refund(admin, payment, 50_000L);
    assertThat(partial.status()).as(partial.response().body()).isEqualTo(202);
    assertThat(partial.body().get("creatorPart").asLong()).isEqualTo(45_000);
    assertThat(partial.body().get("feePart").asLong()).isEqualTo(5_000);
    assertThat(dashboard(earned.creator()).at("/held/refunds").asLong()).isEqualTo(45_000);
    processAtPaystack(admin, payment, partial.body().get("reference").asText());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> paymentView(admin, payment).get("status").asText().equals("partially_refunded"));
    JsonNode afterPartial = dashboard(earned.creator());
    assertThat(afterPartial.get("available").asLong()).isEqualTo(SHARE - 45_000);
    assertThat(afterPartial.get("refunded").asLong()).isEqualTo(45_000);
    assertAddsUp(afterPartial);

    Answer rest = refund(admin, payment, null);
    assertThat(rest.status()).as(rest.response().body()).isEqualTo(202);
    assertThat(rest.body().get("amount").asLong()).isEqualTo(150_000);
    assertThat(rest.body().get("creatorPart").asLong()).isEqualTo(135_000);
    processAtPaystack(admin, payment, rest.body().get("reference").asText());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> paymentView(admin, payment).get("status").asText().equals("refunded"));

    JsonNode view = paymentView(admin, payment);
    assertThat(view.get("refunds")).hasSize(2);
    assertThat(view.get("refunds").findValuesAsText("status")).containsOnly("processed");
    JsonNode afterFull = dashboard(earned.creator());
    assertThat(afterFull.get("available").asLong()).isZero();
    assertThat(afterFull.get("refunded").asLong()).isEqualTo(SHARE);
    assertAddsUp(afterFull);
    Answer again = refund(admin, payment, 1L);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.code()).isEqualTo("payment_not_refundable");
    assertThat(audited("admin.refund.requested", "payment:" + payment)).isEqualTo(2);
    assertThat(audited("admin.refund.refused", "payment:" + payment)).isEqualTo(2);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log WHERE action = 'refund.processed'"
                    + " AND target IN (?, ?)",
                "refund:" + partial.body().get("reference").asText(),
                "refund:" + rest.body().get("reference").asText()))
        .isEqualTo(2);
  }

  @Test
  void aRefundTheCreatorsBalanceCannotCoverIsRefusedWithTheAmounts() throws Exception {
    Earned earned = earn();
    setPayoutAccount(earned.creator());
    assertThat(payout(earned.creator(), SHARE, UUID.randomUUID().toString()).status())
        .isEqualTo(202);

    Answer refused = refund(platform.admin(), earned.reference(), null);

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.code()).isEqualTo("creator_balance_insufficient");
    assertThat(refused.body().get("creatorPart").asLong()).isEqualTo(SHARE);
    assertThat(refused.body().get("available").asLong()).isZero();
    assertThat(
            count(
                "SELECT count(*) FROM odim_payments.refunds WHERE payment_reference = ?",
                earned.reference()))
        .isZero();
  }

  @Test
  void aDisputeHoldsTheCreatorsMoneyUntilAnAdminResolvesIt() throws Exception {
    Session admin = platform.admin();
    Earned won = earn();
    simulator("/_control/dispute", Map.of("reference", won.reference()));
    String wonId = awaitDispute(admin, won.reference());
    JsonNode held = dashboard(won.creator());
    assertThat(held.at("/held/disputes").asLong()).isEqualTo(SHARE); // all the balance covers
    assertThat(held.get("available").asLong()).isZero();
    assertAddsUp(held);
    assertThat(paymentView(admin, won.reference()).get("status").asText()).isEqualTo("disputed");
    assertThat(refund(admin, won.reference(), 1L).code()).isEqualTo("payment_not_refundable");

    Answer resolved = resolve(admin, wonId, "won");
    assertThat(resolved.status()).as(resolved.response().body()).isEqualTo(200);
    assertThat(resolved.body().get("status").asText()).isEqualTo("won");
    assertThat(resolve(admin, wonId, "won").status()).as("idempotent").isEqualTo(200);
    Answer contrary = resolve(admin, wonId, "lost");
    assertThat(contrary.status()).isEqualTo(409);
    assertThat(contrary.code()).isEqualTo("dispute_already_resolved");
    assertThat(paymentView(admin, won.reference()).get("status").asText()).isEqualTo("succeeded");
    JsonNode released = dashboard(won.creator());
    assertThat(released.get("available").asLong()).isEqualTo(SHARE);
    assertThat(released.at("/held/total").asLong()).isZero();
    assertAddsUp(released);
    assertThat(audited("admin.dispute.resolved", "dispute:" + wonId)).isEqualTo(1);
    assertThat(audited("dispute.opened", "dispute:" + wonId)).isEqualTo(1);

    Earned lost = earn();
    simulator("/_control/dispute", Map.of("reference", lost.reference()));
    String lostId = awaitDispute(admin, lost.reference());
    assertThat(resolve(admin, lostId, "lost").status()).isEqualTo(200);
    JsonNode taken = dashboard(lost.creator());
    assertThat(taken.get("disputesLost").asLong()).isEqualTo(SHARE);
    assertThat(taken.get("available").asLong()).isZero();
    assertThat(taken.at("/held/total").asLong()).isZero();
    assertAddsUp(taken);
    assertThat(resolve(admin, "404404", "won").status()).isEqualTo(404);
  }

  @Test
  void anEventForAPayoutThisPlatformNeverMadeIsAuditedAndChangesNothing() throws Exception {
    String reference = "po-never-made-" + UUID.randomUUID().toString().substring(0, 8);
    String body =
        platform.json.writeValueAsString(
            Map.of(
                "event",
                "transfer.success",
                "data",
                Map.of(
                    "reference", reference,
                    "transfer_code", "TRF_nevermade",
                    "amount", 10_000,
                    "currency", "NGN",
                    "status", "success")));
    Answer delivered =
        platform.send(
            "POST", "/webhooks/paystack", body, null, Map.of("x-paystack-signature", sign(body)));
    assertThat(delivered.status()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> audited("payout.unknown_reference", "payout:" + reference) == 1);
    assertThat(
            count(
                "SELECT count(*) FROM odim_audit.audit_log WHERE target = ? AND outcome = 'failure'",
                "payout:" + reference))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM odim_payments.payouts WHERE reference = ?", reference))
        .isZero();
  }

  // ---- arranging ----

  private record Earned(Session creator, Session fan, String reference) {}

  /** A creator with a tier, and a fan who subscribed and paid: SHARE on the creator's balance. */
  private Earned earn() throws Exception {
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
    simulator("/_control/pay", Map.of("reference", reference, "outcome", "success"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                platform
                    .send("GET", "/api/payments/" + reference, null, fan)
                    .body()
                    .get("status")
                    .asText()
                    .equals("succeeded"));
    return new Earned(creator, fan, reference);
  }

  private void setPayoutAccount(Session creator) throws Exception {
    Answer saved =
        platform.send(
            "PUT",
            "/api/creators/me/payout-account",
            Map.of("bankCode", "058", "accountNumber", "0123456789", "accountName", "Ada Obi"),
            creator);
    assertThat(saved.status()).as(saved.response().body()).isEqualTo(200);
  }

  private Answer payout(Session creator, long amount, String key) throws Exception {
    return platform.send(
        "POST",
        PAYOUTS,
        Map.of("amount", amount, "currency", "NGN"),
        creator,
        Map.of("Idempotency-Key", key));
  }

  private static String refundsOf(String payment) {
    return "/api/admin/payments/" + payment + "/refunds";
  }

  private Answer refund(Session admin, String payment, Long amount) throws Exception {
    Map<String, Object> body = new HashMap<>();
    if (amount != null) {
      body.put("amount", amount);
    }
    return platform.send(
        "POST",
        refundsOf(payment),
        body,
        admin,
        Map.of("Idempotency-Key", UUID.randomUUID().toString()));
  }

  private Answer resolve(Session admin, String dispute, String outcome) throws Exception {
    return platform.send(
        "POST", "/api/admin/disputes/" + dispute + "/resolve", Map.of("outcome", outcome), admin);
  }

  private JsonNode paymentView(Session admin, String payment) throws Exception {
    Answer view = platform.send("GET", "/api/admin/payments/" + payment, null, admin);
    assertThat(view.status()).as(view.response().body()).isEqualTo(200);
    return view.body();
  }

  /** Waits for the refund to reach Paystack, then has Paystack process it. */
  private void processAtPaystack(Session admin, String payment, String refund) throws Exception {
    JsonNode[] sent = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (JsonNode r : paymentView(admin, payment).get("refunds")) {
                if (r.get("reference").asText().equals(refund)
                    && r.get("status").asText().equals("sent")) {
                  sent[0] = r;
                  return true;
                }
              }
              return false;
            });
    simulator(
        "/_control/pay",
        Map.of("reference", sent[0].get("providerRefundId").asText(), "outcome", "success"));
  }

  private String awaitDispute(Session admin, String payment) throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !paymentView(admin, payment).get("disputes").isEmpty());
    return paymentView(admin, payment).get("disputes").get(0).get("id").asText();
  }

  // ---- observing ----

  private JsonNode dashboard(Session creator) throws Exception {
    Answer answer = platform.send("GET", DASHBOARD, null, creator);
    assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
    return answer.body();
  }

  /** The dashboard's identity: what is available or held is what was earned and not taken. */
  private static void assertAddsUp(JsonNode d) {
    JsonNode held = d.get("held");
    assertThat(
            held.get("payouts").asLong()
                + held.get("refunds").asLong()
                + held.get("disputes").asLong())
        .as("held by reason %s", held)
        .isEqualTo(held.get("total").asLong());
    assertThat(d.get("available").asLong() + held.get("total").asLong())
        .as("dashboard %s", d)
        .isEqualTo(
            d.get("earned").asLong()
                - d.get("refunded").asLong()
                - d.get("paidOut").asLong()
                - d.get("disputesLost").asLong());
  }

  private void awaitPayoutStatus(Session creator, String reference, String status) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (JsonNode p :
                  platform.send("GET", PAYOUTS, null, creator).body().get("payouts")) {
                if (p.get("reference").asText().equals(reference)) {
                  return p.get("status").asText().equals(status);
                }
              }
              return false;
            });
  }

  private void awaitTransferAtPaystack(String reference) {
    await().atMost(Duration.ofSeconds(20)).until(() -> transfersAtPaystack(reference) == 1);
  }

  /** How many transfers the simulator holds under {@code reference} (it refuses a second). */
  private long transfersAtPaystack(String reference) {
    try {
      JsonNode list = simulatorGet("/transfer?perPage=100");
      long n = 0;
      for (JsonNode t : list.get("data")) {
        if (t.get("reference").asText().equals(reference)) {
          n++;
        }
      }
      return n;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Payouts whose send job was tried and now waits for a later time by the server's clock: failed
   * and backing off, or enqueued anew for when the open circuit lets calls through.
   */
  private long attemptedSends(List<String> references) {
    long n = 0;
    for (String reference : references) {
      n +=
          count(
              "SELECT count(*) FROM odim_queue.jobs WHERE type = 'odim.payments.payout.send'"
                  + " AND payload::text LIKE ? AND run_at > ?",
              "%" + reference + "%",
              java.sql.Timestamp.from(platform.clock.instant()));
    }
    return n;
  }

  private long payoutRows(Session creator) {
    return count(
        "SELECT count(*) FROM odim_payments.payouts WHERE creator_account = ?",
        CreatorAccounts.of(creator.userId()));
  }

  private long audited(String action, String target) {
    return count(
        "SELECT count(*) FROM odim_audit.audit_log WHERE action = ? AND target = ?",
        action,
        target);
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

  private JsonNode simulator(String path, Map<String, Object> body) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(simulator.baseUri() + path))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(platform.json.writeValueAsString(body)))
                .build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return platform.json.readTree(response.body());
  }

  private JsonNode simulatorGet(String path) throws Exception {
    var response =
        http.send(
            HttpRequest.newBuilder(URI.create(simulator.baseUri() + path))
                .header("Authorization", "Bearer " + KEY)
                .GET()
                .build(),
            BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return platform.json.readTree(response.body());
  }

  private static String sign(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
