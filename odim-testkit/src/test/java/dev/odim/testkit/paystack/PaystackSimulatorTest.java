package dev.odim.testkit.paystack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.testkit.SettableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PaystackSimulatorTest {
  private static final String SECRET = PaystackSimulator.DEFAULT_SECRET_KEY;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final SettableClock clock = SettableClock.standard();
  private WebhookReceiver receiver;
  private PaystackSimulator paystack;

  @BeforeEach
  void start() {
    receiver = new WebhookReceiver();
    paystack = simulator(false);
  }

  private PaystackSimulator simulator(boolean manualPayouts) {
    return PaystackSimulator.builder()
        .webhookUrl(receiver.uri())
        .clock(clock)
        .webhookMinute(Duration.ofMillis(10))
        .reorderWindow(Duration.ofMillis(500))
        .seed(42)
        .settlePayoutsManually(manualPayouts)
        .build()
        .start(0);
  }

  @AfterEach
  void stop() {
    paystack.close();
    receiver.close();
    http.close();
  }

  @Test
  void initializePayOnTheCheckoutPageThenVerifySucceeds() throws Exception {
    JsonNode init =
        post(
            "/transaction/initialize",
            Map.of(
                "email", "ada@example.com",
                "amount", 500_000,
                "reference", "sub-1",
                "callback_url", "https://app.example.com/paid?x=1",
                "metadata", Map.of("tier", 7)));
    assertThat(init.get("status").asBoolean()).isTrue();
    assertThat(init.at("/data/reference").asText()).isEqualTo("sub-1");
    String accessCode = init.at("/data/access_code").asText();
    String checkout = init.at("/data/authorization_url").asText();
    assertThat(checkout).isEqualTo(paystack.baseUri() + "/checkout/" + accessCode);

    assertThat(get("/transaction/verify/sub-1").at("/data/status").asText()).isEqualTo("ongoing");

    HttpResponse<String> page =
        http.send(HttpRequest.newBuilder(URI.create(checkout)).build(), text());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("NGN 5000.00", "ada@example.com", ">Pay<", ">Fail<");

    HttpResponse<String> paid = postForm(URI.create(checkout), "outcome=success");
    assertThat(paid.statusCode()).isEqualTo(303);
    assertThat(paid.headers().firstValue("Location"))
        .hasValue("https://app.example.com/paid?x=1&trxref=sub-1&reference=sub-1");

    JsonNode verified = get("/transaction/verify/sub-1");
    assertThat(verified.get("message").asText()).isEqualTo("Verification successful");
    JsonNode data = verified.get("data");
    assertThat(data.get("status").asText()).isEqualTo("success");
    assertThat(data.get("amount").asLong()).isEqualTo(500_000);
    assertThat(data.get("currency").asText()).isEqualTo("NGN");
    assertThat(data.get("paid_at").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
    assertThat(data.get("channel").asText()).isEqualTo("card");
    assertThat(data.get("fees").asLong()).isEqualTo(7_500 + 10_000);
    assertThat(data.at("/authorization/authorization_code").asText()).startsWith("AUTH_");
    assertThat(data.at("/authorization/reusable").asBoolean()).isTrue();
    assertThat(data.at("/customer/email").asText()).isEqualTo("ada@example.com");
    assertThat(data.at("/metadata/tier").asInt()).isEqualTo(7);

    WebhookReceiver.Received webhook = receiver.next();
    assertThat(webhook.signature()).isEqualTo(hmacSha512(webhook.body()));
    JsonNode event = JSON.readTree(webhook.body());
    assertThat(event.get("event").asText()).isEqualTo("charge.success");
    assertThat(event.at("/data/reference").asText()).isEqualTo("sub-1");
    assertThat(event.at("/data/amount").asLong()).isEqualTo(500_000);

    // Paying twice changes nothing: the page says what happened and no second event is sent.
    assertThat(postForm(URI.create(checkout), "outcome=failed").statusCode()).isEqualTo(303);
    assertThat(get("/transaction/verify/sub-1").at("/data/status").asText()).isEqualTo("success");
    assertThat(receiver.poll(150)).isNull();
  }

  @Test
  void failOnTheCheckoutPageDeclinesWithoutAWebhook() throws Exception {
    JsonNode init =
        post("/transaction/initialize", Map.of("email", "b@example.com", "amount", 1000));
    String reference = init.at("/data/reference").asText();
    HttpResponse<String> failed =
        postForm(URI.create(init.at("/data/authorization_url").asText()), "outcome=failed");
    assertThat(failed.statusCode()).isEqualTo(200);
    assertThat(failed.body()).contains("failed");
    JsonNode data = get("/transaction/verify/" + reference).get("data");
    assertThat(data.get("status").asText()).isEqualTo("failed");
    assertThat(data.get("paid_at").isNull()).isTrue();
    assertThat(data.get("authorization").isEmpty()).isTrue();
    assertThat(receiver.poll(150)).isNull();
  }

  @Test
  void theCheckoutPageEscapesWhatItShows() throws Exception {
    JsonNode init =
        post(
            "/transaction/initialize",
            Map.of("email", "<script>alert(1)</script>@evil.example", "amount", 100));
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(init.at("/data/authorization_url").asText())).build(),
            text());
    assertThat(page.body()).doesNotContain("<script>").contains("&lt;script&gt;");
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
  }

  @Test
  void aDuplicateReferenceIsRefused() throws Exception {
    Map<String, Object> body =
        Map.of("email", "a@example.com", "amount", 100, "reference", "dup-1");
    assertThat(send("POST", "/transaction/initialize", body, SECRET).statusCode()).isEqualTo(200);
    HttpResponse<String> again = send("POST", "/transaction/initialize", body, SECRET);
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(again.body()))
        .isEqualTo(
            JSON.readTree("{\"status\":false,\"message\":\"Duplicate Transaction Reference\"}"));
  }

  @Test
  void badInputIsRefusedAndChangesNothing() throws Exception {
    assertThat(status("POST", "/transaction/initialize", Map.of("email", "x", "amount", 100)))
        .isEqualTo(400);
    assertThat(status("POST", "/transaction/initialize", Map.of("email", "a@b.co", "amount", -5)))
        .isEqualTo(400);
    assertThat(
            status(
                "POST",
                "/transaction/initialize",
                Map.of("email", "a@b.co", "amount", 5, "callback_url", "javascript:alert(1)")))
        .isEqualTo(400);
    assertThat(get("/transaction").at("/meta/total").asInt()).isZero();
  }

  @Test
  void anUnknownReferenceIs404InPaystacksShape() throws Exception {
    HttpResponse<String> response = send("GET", "/transaction/verify/nope", null, SECRET);
    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asBoolean()).isFalse();
    assertThat(body.get("message").asText()).isEqualTo("Transaction reference not found");
  }

  @Test
  void everyApiCallNeedsTheSecretKey() throws Exception {
    HttpResponse<String> none = send("GET", "/transaction", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).get("message").asText())
        .isEqualTo("No Authorization Header was found");
    HttpResponse<String> wrong = send("GET", "/transaction", null, "sk_test_wrong");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrong.body()).get("message").asText()).isEqualTo("Invalid key");
    assertThat(JSON.readTree(wrong.body()).get("status").asBoolean()).isFalse();
  }

  @Test
  void listFiltersByStatusAndTimeAndPages() throws Exception {
    for (int i = 1; i <= 5; i++) {
      post(
          "/transaction/initialize",
          Map.of("email", "p@example.com", "amount", i * 100, "reference", "list-" + i));
      if (i % 2 == 1) {
        pay("list-" + i, "success");
      }
      clock.advance(Duration.ofDays(1));
    }
    JsonNode all = get("/transaction?perPage=2&page=2");
    assertThat(all.get("meta").toString())
        .isEqualTo("{\"total\":5,\"skipped\":2,\"perPage\":2,\"page\":2,\"pageCount\":3}");
    assertThat(references(all)).containsExactly("list-3", "list-2");

    assertThat(references(get("/transaction?status=success")))
        .containsExactly("list-5", "list-3", "list-1");
    assertThat(references(get("/transaction?status=ongoing"))).containsExactly("list-4", "list-2");
    assertThat(references(get("/transaction?from=2026-01-02&to=2026-01-03")))
        .containsExactly("list-3", "list-2");
    assertThat(references(get("/transaction?from=2026-01-04T00:00:00Z")))
        .containsExactly("list-5", "list-4");
    assertThat(status("GET", "/transaction?perPage=abc", null)).isEqualTo(400);
  }

  @Test
  void aReusableAuthorizationCanBeChargedAgain() throws Exception {
    post(
        "/transaction/initialize",
        Map.of("email", "r@example.com", "amount", 2_000, "reference", "first"));
    JsonNode paid = pay("first", "success");
    String code = paid.at("/data/authorization/authorization_code").asText();
    receiver.next();

    JsonNode charge =
        post(
            "/transaction/charge_authorization",
            Map.of(
                "email",
                "r@example.com",
                "amount",
                2_000,
                "authorization_code",
                code,
                "reference",
                "renew-1"));
    assertThat(charge.get("message").asText()).isEqualTo("Charge attempted");
    assertThat(charge.at("/data/status").asText()).isEqualTo("success");
    assertThat(charge.at("/data/authorization/authorization_code").asText()).isEqualTo(code);
    JsonNode event = JSON.readTree(receiver.next().body());
    assertThat(event.get("event").asText()).isEqualTo("charge.success");
    assertThat(event.at("/data/reference").asText()).isEqualTo("renew-1");

    assertThat(
            status(
                "POST",
                "/transaction/charge_authorization",
                Map.of("email", "other@example.com", "amount", 2_000, "authorization_code", code)))
        .isEqualTo(400);
    assertThat(
            status(
                "POST",
                "/transaction/charge_authorization",
                Map.of(
                    "email", "r@example.com", "amount", 2_000, "authorization_code", "AUTH_nope")))
        .isEqualTo(400);
  }

  @Test
  void aCardToldToDeclineFailsItsChargesWithoutAnEventUntilToldOtherwise() throws Exception {
    post(
        "/transaction/initialize",
        Map.of("email", "d@example.com", "amount", 2_000, "reference", "card-first"));
    String code =
        pay("card-first", "success").at("/data/authorization/authorization_code").asText();
    receiver.next();
    control("/_control/authorization", Map.of("authorizationCode", code, "declines", true));

    JsonNode declined =
        post(
            "/transaction/charge_authorization",
            Map.of(
                "email",
                "d@example.com",
                "amount",
                2_000,
                "authorization_code",
                code,
                "reference",
                "card-renew-1"));

    assertThat(declined.get("message").asText()).isEqualTo("Charge attempted");
    assertThat(declined.at("/data/status").asText()).isEqualTo("failed");
    assertThat(declined.at("/data/gateway_response").asText()).isEqualTo("Insufficient Funds");
    assertThat(receiver.poll(300)).as("no event for a decline").isNull();
    assertThat(get("/transaction/verify/card-renew-1").at("/data/status").asText())
        .isEqualTo("failed");

    control("/_control/authorization", Map.of("authorizationCode", code, "declines", false));
    JsonNode charged =
        post(
            "/transaction/charge_authorization",
            Map.of(
                "email",
                "d@example.com",
                "amount",
                2_000,
                "authorization_code",
                code,
                "reference",
                "card-renew-2"));
    assertThat(charged.at("/data/status").asText()).isEqualTo("success");
    assertThat(
            status(
                "POST",
                "/_control/authorization",
                Map.of("authorizationCode", "AUTH_no", "declines", true)))
        .isEqualTo(404);
  }

  @Test
  void aTransferToARecipientSendsTransferSuccess() throws Exception {
    JsonNode recipient =
        post(
            "/transferrecipient",
            Map.of(
                "type",
                "nuban",
                "name",
                "Creator One",
                "account_number",
                "0001234567",
                "bank_code",
                "058"));
    assertThat(recipient.get("message").asText())
        .isEqualTo("Transfer recipient created successfully");
    String code = recipient.at("/data/recipient_code").asText();
    assertThat(code).startsWith("RCP_");

    JsonNode transfer =
        post(
            "/transfer",
            Map.of(
                "source",
                "balance",
                "amount",
                150_000,
                "recipient",
                code,
                "reference",
                "payout-0001",
                "reason",
                "weekly"));
    assertThat(transfer.get("message").asText()).isEqualTo("Transfer has been queued");
    assertThat(transfer.at("/data/status").asText()).isEqualTo("pending");
    assertThat(transfer.at("/data/transfer_code").asText()).startsWith("TRF_");

    WebhookReceiver.Received webhook = receiver.next();
    assertThat(webhook.signature()).isEqualTo(hmacSha512(webhook.body()));
    JsonNode event = JSON.readTree(webhook.body());
    assertThat(event.get("event").asText()).isEqualTo("transfer.success");
    assertThat(event.at("/data/reference").asText()).isEqualTo("payout-0001");
    assertThat(event.at("/data/amount").asLong()).isEqualTo(150_000);
    assertThat(event.at("/data/recipient/recipient_code").asText()).isEqualTo(code);
    assertThat(get("/transfer/verify/payout-0001").at("/data/status").asText())
        .isEqualTo("success");
    assertThat(
            status(
                "POST",
                "/transfer",
                Map.of("amount", 1, "recipient", code, "reference", "payout-0001")))
        .isEqualTo(400);
  }

  @Test
  void manuallySettledTransfersFailOrReverseOnCommand() throws Exception {
    paystack.close();
    paystack = simulator(true);
    String code =
        post(
                "/transferrecipient",
                Map.of("type", "nuban", "name", "C", "account_number", "1", "bank_code", "058"))
            .at("/data/recipient_code")
            .asText();
    post("/transfer", Map.of("amount", 500, "recipient", code, "reference", "t-fail"));
    post("/transfer", Map.of("amount", 700, "recipient", code, "reference", "t-back"));
    assertThat(receiver.poll(150)).isNull();

    control("/_control/pay", Map.of("reference", "t-fail", "outcome", "failed"));
    assertThat(JSON.readTree(receiver.next().body()).get("event").asText())
        .isEqualTo("transfer.failed");
    control("/_control/pay", Map.of("reference", "t-back", "outcome", "success"));
    assertThat(JSON.readTree(receiver.next().body()).get("event").asText())
        .isEqualTo("transfer.success");
    control("/_control/pay", Map.of("reference", "t-back", "outcome", "reversed"));
    assertThat(JSON.readTree(receiver.next().body()).get("event").asText())
        .isEqualTo("transfer.reversed");
    assertThat(get("/transfer/verify/t-back").at("/data/status").asText()).isEqualTo("reversed");

    post(
        "/transaction/initialize",
        Map.of("email", "m@example.com", "amount", 1_000, "reference", "rf"));
    pay("rf", "success");
    receiver.next();
    long refundId = post("/refund", Map.of("transaction", "rf")).at("/data/id").asLong();
    assertThat(receiver.poll(150)).isNull();
    control("/_control/pay", Map.of("reference", String.valueOf(refundId), "outcome", "failed"));
    JsonNode failed = JSON.readTree(receiver.next().body());
    assertThat(failed.get("event").asText()).isEqualTo("refund.failed");
    assertThat(get("/refund/" + refundId).at("/data/status").asText()).isEqualTo("failed");
    // The failed refund's amount can be refunded again.
    assertThat(post("/refund", Map.of("transaction", "rf")).at("/data/amount").asLong())
        .isEqualTo(1_000);
  }

  @Test
  void aRefundSendsRefundProcessedAndAFullOneReversesTheTransaction() throws Exception {
    post(
        "/transaction/initialize",
        Map.of("email", "f@example.com", "amount", 10_000, "reference", "to-refund"));
    pay("to-refund", "success");
    receiver.next();

    JsonNode partial = post("/refund", Map.of("transaction", "to-refund", "amount", 4_000));
    assertThat(partial.get("message").asText()).isEqualTo("Refund has been queued for processing");
    assertThat(partial.at("/data/status").asText()).isEqualTo("pending");
    JsonNode event = JSON.readTree(receiver.next().body());
    assertThat(event.get("event").asText()).isEqualTo("refund.processed");
    assertThat(event.at("/data/transaction_reference").asText()).isEqualTo("to-refund");
    assertThat(event.at("/data/amount").asLong()).isEqualTo(4_000);
    assertThat(get("/transaction/verify/to-refund").at("/data/status").asText())
        .isEqualTo("success");

    assertThat(status("POST", "/refund", Map.of("transaction", "to-refund", "amount", 6_001)))
        .isEqualTo(400);
    post("/refund", Map.of("transaction", "to-refund"));
    assertThat(JSON.readTree(receiver.next().body()).at("/data/amount").asLong()).isEqualTo(6_000);
    assertThat(get("/transaction/verify/to-refund").at("/data/status").asText())
        .isEqualTo("reversed");
    assertThat(get("/refund").at("/meta/total").asInt()).isEqualTo(2);
  }

  @Test
  void droppedWebhooksAreNeverSentButRecorded() throws Exception {
    control("/_control/faults", Map.of("webhookDropRate", 1.0));
    for (int i = 0; i < 3; i++) {
      post(
          "/transaction/initialize",
          Map.of("email", "d@example.com", "amount", 100, "reference", "drop-" + i));
      pay("drop-" + i, "success");
    }
    assertThat(receiver.poll(300)).isNull();
    JsonNode webhooks = state().get("webhooks");
    assertThat(webhooks.get("dropped").asInt()).isEqualTo(3);
    assertThat(webhooks.get("sent").asInt()).isZero();
    assertThat(webhooks.get("attempts").asInt()).isZero();
    assertThat(state().at("/transactions/chargedCount").asInt()).isEqualTo(3);
  }

  @Test
  void duplicatedWebhooksArriveTwiceWithTheSameBody() throws Exception {
    paystack.faults(Faults.NONE.withWebhookDuplicateRate(1.0));
    post(
        "/transaction/initialize",
        Map.of("email", "d@example.com", "amount", 100, "reference", "twice"));
    pay("twice", "success");
    WebhookReceiver.Received first = receiver.next();
    WebhookReceiver.Received second = receiver.next();
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.signature()).isEqualTo(first.signature()).isEqualTo(hmacSha512(first.body()));
    assertThat(receiver.poll(150)).isNull();
    assertThat(state().at("/webhooks/sent").asInt()).isEqualTo(2);
    assertThat(state().at("/webhooks/events").asInt()).isEqualTo(1);
  }

  @Test
  void aWebhookIsRetriedOnTheCompressedScheduleUntilAnswered200() throws Exception {
    receiver.answer(call -> call <= 2 ? 500 : 200);
    post(
        "/transaction/initialize",
        Map.of("email", "w@example.com", "amount", 100, "reference", "retry"));
    pay("retry", "success");
    long started = System.nanoTime();
    WebhookReceiver.Received a = receiver.next();
    receiver.next();
    WebhookReceiver.Received c = receiver.next();
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(c.body()).isEqualTo(a.body());
    // Two 3-minute waits at 10 ms a minute: about 60 ms, far below real minutes.
    assertThat(elapsedMs).isBetween(50L, 3_000L);
    assertThat(receiver.poll(200)).isNull();
    JsonNode delivery = state().at("/webhooks/deliveries/0");
    assertThat(delivery.get("status").asText()).isEqualTo("delivered");
    List<Integer> statuses = new ArrayList<>();
    delivery.get("attempts").forEach(attempt -> statuses.add(attempt.get("status").asInt()));
    assertThat(statuses).containsExactly(500, 500, 200);
    assertThat(receiver.calls()).isEqualTo(3);
  }

  @Test
  void aWebhookNeverAnswered200IsGivenUpAfterTheLastHourlyTry() throws Exception {
    paystack.close();
    paystack =
        PaystackSimulator.builder()
            .webhookUrl(receiver.uri())
            .webhookMinute(Duration.ofNanos(50_000)) // an hour lasts 3 ms
            .build()
            .start(0);
    receiver.answer(call -> 503);
    post(
        "/transaction/initialize",
        Map.of("email", "g@example.com", "amount", 100, "reference", "gone"));
    pay("gone", "success");
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!state().at("/webhooks/deliveries/0/status").asText().equals("failed")) {
      assertThat(System.nanoTime()).as("gave up within 15 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    JsonNode delivery = state().at("/webhooks/deliveries/0");
    assertThat(delivery.get("attempts").size()).isEqualTo(76);
    assertThat(delivery.get("nextAttemptAt").isNull()).isTrue();
    assertThat(state().at("/webhooks/failed").asInt()).isEqualTo(1);
    Thread.sleep(100);
    assertThat(receiver.calls()).isEqualTo(76);
  }

  @Test
  void delayedWebhooksWaitBeforeTheirFirstAttempt() throws Exception {
    control("/_control/faults", Map.of("webhookDelayMs", 400));
    post(
        "/transaction/initialize",
        Map.of("email", "l@example.com", "amount", 100, "reference", "late"));
    long started = System.nanoTime();
    pay("late", "success");
    receiver.next();
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(400);
  }

  @Test
  void concurrentInitializationsWithOneReferenceCreateOneTransaction() throws Exception {
    int threads = 16;
    List<Thread> started = new ArrayList<>();
    java.util.concurrent.ConcurrentLinkedQueue<Integer> statuses =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < threads; i++) {
      int n = i;
      started.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      go.await();
                      statuses.add(
                          status(
                              "POST",
                              "/transaction/initialize",
                              Map.of(
                                  "email", "c@example.com", "amount", 100, "reference", "same")));
                      statuses.add(
                          status(
                              "POST",
                              "/transaction/initialize",
                              Map.of(
                                  "email",
                                  "c@example.com",
                                  "amount",
                                  100,
                                  "reference",
                                  "own-" + n)));
                    } catch (Exception e) {
                      statuses.add(-1);
                    }
                  }));
    }
    go.countDown();
    for (Thread t : started) {
      t.join();
    }
    assertThat(statuses).hasSize(2 * threads);
    assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(threads + 1);
    assertThat(statuses.stream().filter(s -> s == 400).count()).isEqualTo(threads - 1);
    assertThat(get("/transaction?perPage=100").at("/meta/total").asInt()).isEqualTo(threads + 1);
  }

  @Test
  void manyClicksOnPayChargeOnceAndSendOneWebhook() throws Exception {
    JsonNode init =
        post("/transaction/initialize", Map.of("email", "m@example.com", "amount", 100));
    URI checkout = URI.create(init.at("/data/authorization_url").asText());
    List<Thread> clicks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      String outcome = i % 2 == 0 ? "success" : "failed";
      clicks.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      postForm(checkout, "outcome=" + outcome);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread t : clicks) {
      t.join();
    }
    String status =
        get("/transaction/verify/" + init.at("/data/reference").asText())
            .at("/data/status")
            .asText();
    assertThat(status).isIn("success", "failed");
    assertThat(state().at("/transactions/chargedCount").asInt())
        .isEqualTo(status.equals("success") ? 1 : 0);
    if (status.equals("success")) {
      receiver.next();
    }
    assertThat(receiver.poll(200)).isNull();
  }

  @Test
  void reorderedWebhooksArriveInAnotherOrder() throws Exception {
    paystack.faults(Faults.NONE.withWebhookReorder(true));
    List<String> sentOrder = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      post(
          "/transaction/initialize",
          Map.of("email", "o@example.com", "amount", 100, "reference", "ord-" + i));
      pay("ord-" + i, "success");
      sentOrder.add("ord-" + i);
    }
    List<String> arrived = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      arrived.add(JSON.readTree(receiver.next().body()).at("/data/reference").asText());
    }
    assertThat(arrived).containsExactlyInAnyOrderElementsOf(sentOrder).isNotEqualTo(sentOrder);
  }

  @Test
  void anOutageAnswers503AndHoldsWebhooksUntilItEnds() throws Exception {
    post(
        "/transaction/initialize",
        Map.of("email", "o@example.com", "amount", 100, "reference", "out"));
    control("/_control/faults", Map.of("outage", true));
    assertThat(status("GET", "/transaction/verify/out", null)).isEqualTo(503);
    // The control API keeps working, so the payment can still complete; its webhook waits.
    pay("out", "success");
    assertThat(receiver.poll(200)).isNull();
    assertThat(state().at("/webhooks/deliveries/0/status").asText()).isEqualTo("paused");

    control("/_control/faults", Map.of("outage", false));
    assertThat(JSON.readTree(receiver.next().body()).at("/data/reference").asText())
        .isEqualTo("out");
    assertThat(get("/transaction/verify/out").at("/data/status").asText()).isEqualTo("success");
    assertThat(state().at("/webhooks/deliveries/0/attempts").size()).isEqualTo(1);
  }

  @Test
  void apiErrorsAre500AndApplyNothing() throws Exception {
    control("/_control/faults", Map.of("apiErrorRate", 1.0));
    Map<String, Object> body =
        Map.of("email", "e@example.com", "amount", 100, "reference", "err-1");
    HttpResponse<String> failed = send("POST", "/transaction/initialize", body, SECRET);
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(failed.body()).get("status").asBoolean()).isFalse();

    control("/_control/faults", Map.of("apiErrorRate", 0.0));
    assertThat(status("GET", "/transaction/verify/err-1", null)).isEqualTo(404);
    assertThat(send("POST", "/transaction/initialize", body, SECRET).statusCode()).isEqualTo(200);
  }

  @Test
  void apiLatencyDelaysAnswers() throws Exception {
    control("/_control/faults", Map.of("apiLatencyMs", 150));
    long started = System.nanoTime();
    get("/transaction");
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(150);
    assertThat(state().at("/faults/apiLatencyMs").asLong()).isEqualTo(150);
  }

  @Test
  void aDisputeSendsChargeDisputeCreate() throws Exception {
    post(
        "/transaction/initialize",
        Map.of("email", "z@example.com", "amount", 900, "reference", "disp"));
    pay("disp", "success");
    receiver.next();
    control("/_control/dispute", Map.of("reference", "disp"));
    JsonNode event = JSON.readTree(receiver.next().body());
    assertThat(event.get("event").asText()).isEqualTo("charge.dispute.create");
    assertThat(event.at("/data/transaction/reference").asText()).isEqualTo("disp");
  }

  @Test
  void handleServesTheSameRoutesWithoutAServer() {
    try (PaystackSimulator inProcess = PaystackSimulator.builder().build()) {
      SimulatorResponse response =
          inProcess.handle(
              new SimulatorRequest(
                  "POST",
                  "/sim/paystack/transaction/initialize",
                  "",
                  Map.of(
                      "Authorization", List.of("Bearer " + SECRET),
                      "Content-Type", List.of("application/x-www-form-urlencoded"),
                      "Host", List.of("odim.test:8080")),
                  "email=q%40example.com&amount=100&reference=form-1"
                      .getBytes(StandardCharsets.UTF_8)));
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText())
          .contains("\"authorization_url\":\"http://odim.test:8080/sim/paystack/checkout/");
      assertThat(
              inProcess
                  .handle(new SimulatorRequest("GET", "/elsewhere", "", Map.of(), new byte[0]))
                  .status())
          .isEqualTo(404);
    }
  }

  @Test
  void theStartingTimeComesFromTheClock() throws Exception {
    clock.set(Instant.parse("2026-03-04T05:06:07.089Z"));
    post(
        "/transaction/initialize",
        Map.of("email", "t@example.com", "amount", 100, "reference", "clock"));
    assertThat(get("/transaction/verify/clock").at("/data/created_at").asText())
        .isEqualTo("2026-03-04T05:06:07.089Z");
  }

  @Test
  void recordedTransactionsAreListedAndVerifiedWithoutWebhooks() throws Exception {
    long eventsBefore = state().at("/webhooks/events").asLong();
    control(
        "/_control/transactions",
        Map.of(
            "transactions",
            List.of(
                Map.of("reference", "seed-1", "amount", 5000, "email", "s@example.com"),
                Map.of(
                    "reference",
                    "seed-2",
                    "amount",
                    7000,
                    "email",
                    "s@example.com",
                    "status",
                    "failed"))));

    assertThat(get("/transaction/verify/seed-1").at("/data/status").asText()).isEqualTo("success");
    assertThat(get("/transaction/verify/seed-1").at("/data/paid_at").isNull()).isFalse();
    assertThat(get("/transaction/verify/seed-2").at("/data/status").asText()).isEqualTo("failed");
    assertThat(get("/transaction/verify/seed-2").at("/data/amount").asLong()).isEqualTo(7000);
    assertThat(state().at("/webhooks/events").asLong()).isEqualTo(eventsBefore);
    // a reference recorded before is refused, and nothing of the request is recorded
    HttpResponse<String> again =
        send(
            "POST",
            "/_control/transactions",
            Map.of(
                "transactions",
                List.of(
                    Map.of("reference", "seed-3", "amount", 1, "email", "s@example.com"),
                    Map.of("reference", "seed-1", "amount", 1, "email", "s@example.com"))),
            null);
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(send("GET", "/transaction/verify/seed-3", null, SECRET).statusCode()).isEqualTo(404);
  }

  // ---- helpers ----

  private JsonNode pay(String reference, String outcome) throws Exception {
    return control("/_control/pay", Map.of("reference", reference, "outcome", outcome));
  }

  private JsonNode state() throws Exception {
    HttpResponse<String> response = send("GET", "/_control/state", null, null);
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body()).get("data");
  }

  private JsonNode control(String path, Map<String, Object> body) throws Exception {
    HttpResponse<String> response = send("POST", path, body, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private JsonNode post(String path, Map<String, Object> body) throws Exception {
    HttpResponse<String> response = send("POST", path, body, SECRET);
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    return JSON.readTree(response.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = send("GET", path, null, SECRET);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private int status(String method, String path, Map<String, Object> body) throws Exception {
    return send(method, path, body, SECRET).statusCode();
  }

  private HttpResponse<String> send(
      String method, String path, Map<String, Object> body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(paystack.baseUri() + path));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    }
    return http.send(request.build(), text());
  }

  private HttpResponse<String> postForm(URI uri, String form) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        text());
  }

  private static HttpResponse.BodyHandler<String> text() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  private static List<String> references(JsonNode list) {
    List<String> references = new ArrayList<>();
    list.get("data").forEach(t -> references.add(t.get("reference").asText()));
    return references;
  }

  private static String hmacSha512(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
