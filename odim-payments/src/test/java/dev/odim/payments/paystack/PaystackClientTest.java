package dev.odim.payments.paystack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.Money;
import dev.odim.core.resilience.RetrySettings;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.paystack.PaystackResult.DuplicateReference;
import dev.odim.payments.paystack.PaystackResult.NotFound;
import dev.odim.payments.paystack.PaystackResult.Refused;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.paystack.PaystackSimulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each call of the client, round-trip against the Paystack simulator over HTTP. */
class PaystackClientTest {
  private static final String KEY = "sk_test_client_test";
  private static final SettableClock clock =
      SettableClock.at(Instant.parse("2026-12-01T12:00:00Z"));
  private static final HttpClient http = HttpClient.newHttpClient();
  private static PaystackSimulator simulator;
  private static PaystackClient paystack;

  @BeforeAll
  static void start() {
    simulator = PaystackSimulator.builder().secretKey(KEY).clock(clock).build().start(0);
    paystack =
        PaystackClient.builder()
            .secretKey(KEY)
            .baseUri(simulator.baseUri())
            .resilience(
                PaystackClient.resilienceDefaults()
                    .retry(
                        PaystackClient.retries(
                            RetrySettings.of(3, Duration.ofMillis(5), Duration.ofMillis(20))))
                    .build())
            .build();
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  static String reference() {
    return "ref-" + UUID.randomUUID();
  }

  static void pay(URI base, String reference, String outcome) {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/_control/pay"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"reference\":\"" + reference + "\",\"outcome\":\"" + outcome + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Transaction paid(String email, long kobo) {
    String reference = reference();
    paystack
        .initialize(InitializeRequest.of(email, Money.of(kobo, "NGN"), reference))
        .orElseThrow();
    pay(simulator.baseUri(), reference, "success");
    return paystack.verify(reference).orElseThrow();
  }

  @Test
  void initializeThenPayThenVerifyRoundTripsAmountsAsMoneyInKobo() {
    String reference = reference();
    var request =
        InitializeRequest.of("ada@example.com", Money.of(500_000, "NGN"), reference)
            .withCallbackUrl(URI.create("https://odim.example/return"))
            .withMetadata(Map.of("subscription", "sub-42", "tier", 2))
            .withChannels(List.of("card"));

    Initialized started = paystack.initialize(request).orElseThrow();
    assertThat(started.reference()).isEqualTo(reference);
    assertThat(started.checkoutKnown()).isTrue();
    assertThat(started.authorizationUrl().toString()).contains(started.accessCode());

    Transaction before = paystack.verify(reference).orElseThrow();
    assertThat(before.status()).isEqualTo(Transaction.Status.ONGOING);
    assertThat(before.facts()).isEmpty();
    assertThat(before.paidAt()).isNull();

    pay(simulator.baseUri(), reference, "success");
    Transaction tx = paystack.verify(reference).orElseThrow();
    assertThat(tx.status()).isEqualTo(Transaction.Status.SUCCESS);
    assertThat(tx.amount()).isEqualTo(Money.of(500_000, "NGN"));
    assertThat(tx.fees()).isEqualTo(Money.of(17_500, "NGN")); // 1.5% + NGN 100
    assertThat(tx.paidAt()).isEqualTo(clock.instant());
    assertThat(tx.channel()).isEqualTo("card");
    assertThat(tx.customer().email()).isEqualTo("ada@example.com");
    assertThat(tx.customer().customerCode()).isNotBlank();
    assertThat(tx.authorization()).isNotNull();
    assertThat(tx.authorization().reusable()).isTrue();
    assertThat(tx.authorization().authorizationCode()).startsWith("AUTH_");
    assertThat(tx.metadata()).containsEntry("subscription", "sub-42").containsEntry("tier", 2);

    assertThat(paystack.fetch(tx.id())).isEqualTo(new PaystackResult.Ok<>(tx));
    assertThat(paystack.fetch(987_654_321L)).isInstanceOf(NotFound.class);

    assertThat(PaystackClient.toFacts(tx))
        .contains(
            new ProviderFacts(
                reference,
                ProviderFacts.Outcome.SUCCESS,
                Money.of(500_000, "NGN"),
                Long.toString(tx.id()),
                clock.instant()));
  }

  @Test
  void failedAndAbandonedAreFactsWithoutAPaidAt() {
    for (String outcome : List.of("failed", "abandoned")) {
      String reference = reference();
      paystack
          .initialize(InitializeRequest.of("bo@example.com", Money.of(10_000, "NGN"), reference))
          .orElseThrow();
      pay(simulator.baseUri(), reference, outcome);
      ProviderFacts facts = paystack.verify(reference).orElseThrow().facts().orElseThrow();
      assertThat(facts.outcome().name()).isEqualToIgnoringCase(outcome);
      assertThat(facts.paidAt()).isNull();
    }
  }

  @Test
  void aReferenceUsedBeforeIsADuplicateReference() {
    String reference = reference();
    var request = InitializeRequest.of("cy@example.com", Money.of(10_000, "NGN"), reference);
    assertThat(paystack.initialize(request).isOk()).isTrue();

    assertThat(paystack.initialize(request))
        .isInstanceOfSatisfying(
            DuplicateReference.class, d -> assertThat(d.reference()).isEqualTo(reference));
  }

  @Test
  void anUnknownReferenceIsNotFound() {
    assertThat(paystack.verify("no-such-reference")).isInstanceOf(NotFound.class);
    assertThat(paystack.verifyTransfer("no-such-transfer")).isInstanceOf(NotFound.class);
  }

  @Test
  void aRefusedRequestIsRefusedWithPaystacksMessage() {
    var result =
        paystack.initialize(
            InitializeRequest.of("not-an-email", Money.of(10_000, "NGN"), reference()));
    assertThat(result)
        .isInstanceOfSatisfying(
            Refused.class,
            r -> {
              assertThat(r.status()).isEqualTo(400);
              assertThat(r.message()).isEqualTo("Invalid Email Address Passed");
            });
  }

  @Test
  void aWrongSecretKeyIsAnAuthenticationErrorAndTheKeyIsNeverPrinted() {
    PaystackClient wrong =
        PaystackClient.builder().secretKey("sk_test_wrong").baseUri(simulator.baseUri()).build();
    assertThatThrownBy(() -> wrong.verify("anything"))
        .isInstanceOf(PaystackAuthenticationException.class)
        .hasMessageContaining("Invalid key")
        .hasMessageNotContaining("sk_test_wrong");
    assertThat(wrong.toString())
        .doesNotContain("sk_test_wrong")
        .contains(simulator.baseUri().toString());
    assertThat(PaystackClient.builder().secretKey("sk_test_wrong").toString())
        .doesNotContain("sk_test_wrong");
  }

  @Test
  void chargeAuthorizationRenewsASubscriptionWithoutThePayer() {
    Transaction first = paid("dee@example.com", 250_000);
    String code = first.authorization().authorizationCode();
    String renewal = reference();
    var charge =
        new ChargeRequest(
            "dee@example.com", Money.of(250_000, "NGN"), code, renewal, Map.of("cycle", 2));

    Transaction renewed = paystack.chargeAuthorization(charge).orElseThrow();
    assertThat(renewed.reference()).isEqualTo(renewal);
    assertThat(renewed.status()).isEqualTo(Transaction.Status.SUCCESS);
    assertThat(renewed.amount()).isEqualTo(Money.of(250_000, "NGN"));
    assertThat(renewed.metadata()).containsEntry("cycle", 2);
    assertThat(renewed.facts().orElseThrow().outcome()).isEqualTo(ProviderFacts.Outcome.SUCCESS);

    assertThat(paystack.chargeAuthorization(charge)).isInstanceOf(DuplicateReference.class);
    assertThat(
            paystack.chargeAuthorization(
                new ChargeRequest(
                    "dee@example.com", Money.of(1_000, "NGN"), "AUTH_nope", reference(), Map.of())))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.message()).contains("authorization code"));
  }

  @Test
  void aTransferPaysOutUnderOurReference() throws InterruptedException {
    Recipient recipient =
        paystack
            .createTransferRecipient(RecipientRequest.nuban("Eve Creator", "0001234567", "058"))
            .orElseThrow();
    assertThat(recipient.recipientCode()).startsWith("RCP_");
    assertThat(recipient.currency()).isEqualTo("NGN");

    String reference = "payout-" + UUID.randomUUID();
    var request =
        new TransferRequest(
            Money.of(1_000_000, "NGN"), recipient.recipientCode(), "December earnings", reference);
    Transfer queued = paystack.initiateTransfer(request).orElseThrow();
    assertThat(queued.reference()).isEqualTo(reference);
    assertThat(queued.amount()).isEqualTo(Money.of(1_000_000, "NGN"));
    assertThat(queued.transferCode()).startsWith("TRF_");

    Transfer verified = paystack.verifyTransfer(reference).orElseThrow();
    for (int i = 0; i < 100 && verified.status().equals("pending"); i++) {
      Thread.sleep(20);
      verified = paystack.verifyTransfer(reference).orElseThrow();
    }
    assertThat(verified.status()).isEqualTo("success");
    assertThat(verified.recipientCode()).isEqualTo(recipient.recipientCode());
    assertThat(verified.reason()).isEqualTo("December earnings");

    assertThat(paystack.initiateTransfer(request)).isInstanceOf(DuplicateReference.class);
  }

  @Test
  void aFullRefundReversesTheTransactionAndASecondIsRefused() throws InterruptedException {
    Transaction tx = paid("fay@example.com", 300_000);
    Refund partial =
        paystack
            .refund(new RefundRequest(tx.reference(), Money.of(100_000, "NGN"), "sorry", null))
            .orElseThrow();
    assertThat(partial.amount()).isEqualTo(Money.of(100_000, "NGN"));
    assertThat(partial.transactionReference()).isEqualTo(tx.reference());

    Refund rest = paystack.refund(RefundRequest.full(tx.reference())).orElseThrow();
    assertThat(rest.amount()).isEqualTo(Money.of(200_000, "NGN"));

    Transaction.Status status = paystack.verify(tx.reference()).orElseThrow().status();
    for (int i = 0; i < 100 && status != Transaction.Status.REVERSED; i++) {
      Thread.sleep(20);
      status = paystack.verify(tx.reference()).orElseThrow().status();
    }
    assertThat(status).isEqualTo(Transaction.Status.REVERSED);
    assertThat(paystack.refund(RefundRequest.full(tx.reference())))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.message()).contains("fully reversed"));
    assertThat(paystack.refund(RefundRequest.full("no-such-reference")))
        .isInstanceOf(NotFound.class);
  }

  @Test
  void theRefundsOfATransactionAreListedAndNoOtherTransactions() {
    Transaction tx = paid("gus@example.com", 50_000);
    Transaction other = paid("gus@example.com", 50_000);
    Refund first =
        paystack
            .refund(new RefundRequest(tx.reference(), Money.of(10_000, "NGN"), null, null))
            .orElseThrow();
    Refund second =
        paystack
            .refund(new RefundRequest(tx.reference(), Money.of(5_000, "NGN"), null, null))
            .orElseThrow();
    paystack.refund(RefundRequest.full(other.reference())).orElseThrow();

    var listed = paystack.refunds(tx.reference(), clock.instant().minusSeconds(3600)).orElseThrow();

    assertThat(listed).extracting(Refund::id).containsExactlyInAnyOrder(first.id(), second.id());
    assertThat(listed)
        .allSatisfy(r -> assertThat(r.transactionReference()).isEqualTo(tx.reference()));
    assertThat(listed)
        .extracting(Refund::amount)
        .containsExactlyInAnyOrder(Money.of(10_000, "NGN"), Money.of(5_000, "NGN"));
  }

  @Test
  void listPagesThroughManyTransactionsWithBoundedPages() {
    try (PaystackSimulator own =
        PaystackSimulator.builder().secretKey(KEY).clock(clock).build().start(0)) {
      PaystackClient client =
          PaystackClient.builder().secretKey(KEY).baseUri(own.baseUri()).build();
      Instant start = clock.instant();
      List<String> references = new ArrayList<>();
      for (int i = 0; i < 57; i++) {
        clock.advance(Duration.ofMinutes(1));
        String reference = reference();
        references.add(reference);
        client
            .initialize(
                InitializeRequest.of("gus@example.com", Money.of(1_000 + i, "NGN"), reference))
            .orElseThrow();
      }
      for (int i = 0; i < 5; i++) {
        pay(own.baseUri(), references.get(i), "success");
      }

      TransactionPage first = client.list(TransactionQuery.all().perPage(10)).orElseThrow();
      assertThat(first.transactions()).hasSize(10);
      assertThat(first.total()).isEqualTo(57);
      assertThat(first.pageCount()).isEqualTo(6);
      assertThat(first.transactions().getFirst().reference()).isEqualTo(references.getLast());

      Set<String> seen = new HashSet<>();
      Iterator<Transaction> all = client.iterate(TransactionQuery.all().perPage(10));
      while (all.hasNext()) {
        assertThat(seen.add(all.next().reference())).isTrue();
      }
      assertThat(seen).containsExactlyInAnyOrderElementsOf(references);

      TransactionPage succeeded =
          client.list(TransactionQuery.all().status(Transaction.Status.SUCCESS)).orElseThrow();
      assertThat(succeeded.total()).isEqualTo(5);
      assertThat(succeeded.transactions())
          .extracting(Transaction::reference)
          .containsExactlyInAnyOrderElementsOf(references.subList(0, 5));

      // created at start + 1 min ... start + 57 min; [start + 10 min, start + 20 min) holds 10
      TransactionPage window =
          client
              .list(
                  TransactionQuery.all()
                      .from(start.plus(Duration.ofMinutes(10)))
                      .to(start.plus(Duration.ofMinutes(20))))
              .orElseThrow();
      assertThat(window.transactions())
          .extracting(Transaction::reference)
          .containsExactlyInAnyOrderElementsOf(references.subList(9, 19));
    }
  }

  @Test
  void listTransfersPagesNewestFirstWithinAWindow() {
    try (PaystackSimulator own =
        PaystackSimulator.builder().secretKey(KEY).clock(clock).build().start(0)) {
      PaystackClient client =
          PaystackClient.builder().secretKey(KEY).baseUri(own.baseUri()).build();
      String recipient =
          client
              .createTransferRecipient(RecipientRequest.nuban("Ivy Creator", "0001234567", "058"))
              .orElseThrow()
              .recipientCode();
      Instant start = clock.instant();
      List<String> references = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        clock.advance(Duration.ofMinutes(1));
        String reference = "po-" + UUID.randomUUID();
        references.add(reference);
        client
            .initiateTransfer(
                new TransferRequest(Money.of(10_000 + i, "NGN"), recipient, null, reference))
            .orElseThrow();
      }

      TransferPage first = client.listTransfers(TransferQuery.all().perPage(5)).orElseThrow();
      assertThat(first.transfers()).hasSize(5);
      assertThat(first.total()).isEqualTo(12);
      assertThat(first.pageCount()).isEqualTo(3);
      assertThat(first.transfers().getFirst().reference()).isEqualTo(references.getLast());
      assertThat(first.transfers().getFirst().amount()).isEqualTo(Money.of(10_011, "NGN"));
      assertThat(first.transfers().getFirst().recipientCode()).isEqualTo(recipient);

      // created at start + 1 min ... start + 12 min; [start + 3 min, start + 6 min) holds 3
      TransferPage window =
          client
              .listTransfers(
                  TransferQuery.all()
                      .from(start.plus(Duration.ofMinutes(3)))
                      .to(start.plus(Duration.ofMinutes(6))))
              .orElseThrow();
      assertThat(window.transfers())
          .extracting(Transfer::reference)
          .containsExactlyInAnyOrderElementsOf(references.subList(2, 5));
      assertThat(window.hasNext()).isFalse();
    }
  }

  @Test
  void theBuilderNamesABadSetting() {
    assertThatThrownBy(() -> PaystackClient.builder().build())
        .isInstanceOf(dev.odim.core.OdimConfigException.class)
        .hasMessageContaining("secretKey");
    assertThatThrownBy(
            () -> PaystackClient.builder().secretKey(KEY).baseUri(URI.create("ftp://x")).build())
        .hasMessageContaining("baseUri");
    assertThatThrownBy(() -> InitializeRequest.of("a@example.com", Money.of(1, "NGN"), "has space"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
