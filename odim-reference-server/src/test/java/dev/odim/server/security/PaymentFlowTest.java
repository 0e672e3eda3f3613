package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.server.OdimServer;
import dev.odim.server.internal.payment.CreatorAccounts;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fan subscribes and pays at the (simulated) Paystack; the webhook or the fan's return settles
 * the payment once: payment succeeded, the creator's share in the ledger, the subscription active.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentFlowTest {
  private static final Map<String, String> SIMULATOR_KEY =
      Map.of("Authorization", "Bearer " + OdimServer.SIMULATOR_SECRET_KEY);

  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  private record Sale(Session creator, Session fan, String reference) {}

  private Sale subscribe() throws Exception {
    Session creator = platform.signup("creator");
    Answer tier =
        platform.send(
            "POST", "/api/creators/me/tiers", Map.of("name", "Gold", "amount", 200_000), creator);
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
    assertThat(subscribed.body().get("authorizationUrl").asText()).contains("/sim/paystack/");
    return new Sale(creator, fan, subscribed.body().get("reference").asText());
  }

  private void faults(Map<String, Object> faults) throws Exception {
    assertThat(platform.send("POST", "/sim/paystack/_control/faults", faults, null).status())
        .isEqualTo(200);
  }

  private void pay(String reference) throws Exception {
    Answer paid =
        platform.send(
            "POST",
            "/sim/paystack/_control/pay",
            Map.of("reference", reference, "outcome", "success"),
            null);
    assertThat(paid.status()).as(paid.response().body()).isEqualTo(200);
  }

  private String status(Sale sale) throws Exception {
    return platform
        .send("GET", "/api/payments/" + sale.reference(), null, sale.fan())
        .body()
        .get("status")
        .asText();
  }

  private long creatorCredits(Session creator) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT coalesce(sum(credits_posted), 0) FROM odim_ledger.accounts WHERE id = :id")
                    .bind("id", CreatorAccounts.of(creator.userId()))
                    .mapTo(Long.class)
                    .one());
  }

  private String subscriptionStatus(String reference) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT status FROM odim_server.subscriptions WHERE payment_reference = :r")
                    .bind("r", reference)
                    .mapTo(String.class)
                    .one());
  }

  @Test
  void theWebhookSettlesAPaidSubscriptionOnceAndTheReturnChangesNothing() throws Exception {
    Sale sale = subscribe();
    assertThat(status(sale)).isEqualTo("pending");
    assertThat(subscriptionStatus(sale.reference())).isEqualTo("pending");

    pay(sale.reference());

    await().atMost(Duration.ofSeconds(20)).until(() -> status(sale).equals("succeeded"));
    assertThat(subscriptionStatus(sale.reference())).isEqualTo("active");
    assertThat(creatorCredits(sale.creator())).isEqualTo(180_000); // 10% platform fee
    Answer verified =
        platform.send("POST", "/api/payments/" + sale.reference() + "/verify", null, sale.fan());
    assertThat(verified.body().get("status").asText()).isEqualTo("succeeded");
    assertThat(creatorCredits(sale.creator())).isEqualTo(180_000);
  }

  @Test
  void withTheWebhookLostTheFansReturnSettlesIt() throws Exception {
    faults(Map.of("webhookDropRate", 1.0));
    try {
      Sale sale = subscribe();
      pay(sale.reference());

      Answer verified =
          platform.send("POST", "/api/payments/" + sale.reference() + "/verify", null, sale.fan());

      assertThat(verified.body().get("status").asText()).isEqualTo("succeeded");
      assertThat(subscriptionStatus(sale.reference())).isEqualTo("active");
      assertThat(creatorCredits(sale.creator())).isEqualTo(180_000);
    } finally {
      faults(Map.of("webhookDropRate", 0.0));
    }
  }

  @Test
  void anotherUserCannotSeeOrVerifySomeoneElsesPayment() throws Exception {
    Sale sale = subscribe();
    Session stranger = platform.signup("fan");

    assertThat(platform.send("GET", "/api/payments/" + sale.reference(), null, stranger).status())
        .isEqualTo(403);
    assertThat(
            platform
                .send("POST", "/api/payments/" + sale.reference() + "/verify", null, stranger)
                .status())
        .isEqualTo(403);
  }

  @Test
  void duringAPaystackOutageSubscribingAnswersARetryableError() throws Exception {
    Session creator = platform.signup("creator");
    Answer tier =
        platform.send(
            "POST", "/api/creators/me/tiers", Map.of("name", "Silver", "amount", 50_000), creator);
    Session fan = platform.signup("fan");
    faults(Map.of("outage", true));
    try {
      Answer refused =
          platform.send(
              "POST",
              "/api/subscriptions",
              Map.of("tierId", tier.body().get("id").asText()),
              fan,
              Map.of("Idempotency-Key", UUID.randomUUID().toString()));

      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.code()).isEqualTo("provider_unavailable");
      assertThat(refused.header("Retry-After")).isNotNull();
      // No payment is left open for a checkout that never started.
      List<String> intents =
          platform
              .server
              .db()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT status FROM odim_payments.payment_intents WHERE payer = :p")
                          .bind("p", fan.userId().toString())
                          .mapTo(String.class)
                          .list());
      assertThat(intents).containsExactly("abandoned");
      // Nor a subscription waiting for it.
      List<String> subscriptions =
          platform
              .server
              .db()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT status FROM odim_server.subscriptions WHERE fan_id = :f")
                          .bind("f", fan.userId())
                          .mapTo(String.class)
                          .list());
      assertThat(subscriptions).containsExactly("abandoned");
    } finally {
      faults(Map.of("outage", false));
    }
  }

  /**
   * The default set-up: the payments worker sends the transfer to the simulator mounted on the
   * server's own port, which pays it and reports it by webhook.
   */
  @Test
  void withTheBuiltInSimulatorACreatorsPayoutIsPaid() throws Exception {
    Sale sale = subscribe();
    pay(sale.reference());
    await().atMost(Duration.ofSeconds(20)).until(() -> status(sale).equals("succeeded"));
    assertThat(
            platform
                .send(
                    "PUT",
                    "/api/creators/me/payout-account",
                    Map.of("bankCode", "058", "accountNumber", "0123456789", "accountName", "Ada"),
                    sale.creator())
                .status())
        .isEqualTo(200);

    Answer payout =
        platform.send(
            "POST",
            "/api/creators/me/payouts",
            Map.of("amount", 180_000, "currency", "NGN"),
            sale.creator(),
            Map.of("Idempotency-Key", UUID.randomUUID().toString()));

    assertThat(payout.status()).as(payout.response().body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                platform
                    .send("GET", "/api/creators/me/payouts", null, sale.creator())
                    .body()
                    .at("/payouts/0/status")
                    .asText()
                    .equals("paid"));
    Answer dashboard = platform.send("GET", "/api/creators/me/dashboard", null, sale.creator());
    assertThat(dashboard.body().get("available").asLong()).isZero();
    assertThat(dashboard.body().get("paidOut").asLong()).isEqualTo(180_000);
  }

  @Test
  void subscribingNeedsAnIdempotencyKey() throws Exception {
    Session fan = platform.signup("fan");
    Answer missing =
        platform.send(
            "POST", "/api/subscriptions", Map.of("tierId", UUID.randomUUID().toString()), fan);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.code()).isEqualTo("idempotency_key_missing");
  }
}
