package dev.odim.payments.paystack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.Money;
import dev.odim.core.resilience.CircuitBreakerSettings;
import dev.odim.core.resilience.Resilience;
import dev.odim.core.resilience.RetrySettings;
import dev.odim.payments.paystack.PaystackResult.NotFound;
import dev.odim.payments.paystack.PaystackResult.Ok;
import dev.odim.payments.paystack.PaystackResult.Reason;
import dev.odim.payments.paystack.PaystackResult.Unavailable;
import dev.odim.payments.paystack.StubServer.Answer;
import dev.odim.testkit.paystack.Faults;
import dev.odim.testkit.paystack.PaystackSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Faults: Paystack failing, slow, down, throttling or answering nonsense. Requests are counted at a
 * front of the test's own, so "no request was sent" is observed, not assumed.
 */
class PaystackClientFaultsTest {
  private static final String KEY = "sk_test_faults";

  private static SimulatorFront front(long seed) {
    return new SimulatorFront(PaystackSimulator.builder().secretKey(KEY).seed(seed).build());
  }

  private static Resilience.Builder quick() {
    return PaystackClient.resilienceDefaults()
        .timeout(Duration.ofMillis(500))
        .retry(
            PaystackClient.retries(
                RetrySettings.of(3, Duration.ofMillis(5), Duration.ofMillis(50))));
  }

  private static PaystackClient client(java.net.URI base, Resilience resilience) {
    return PaystackClient.builder().secretKey(KEY).baseUri(base).resilience(resilience).build();
  }

  private static String initialized(PaystackClient client) {
    String reference = "ref-" + UUID.randomUUID();
    client
        .initialize(InitializeRequest.of("ada@example.com", Money.of(10_000, "NGN"), reference))
        .orElseThrow();
    return reference;
  }

  @Test
  void errorsOnEveryAttemptGiveUpAsUnavailableThenRecover() {
    try (SimulatorFront front = front(1)) {
      PaystackClient client = client(front.baseUri(), quick().build());
      String reference = initialized(client);
      front.simulator().faults(Faults.NONE.withApiErrorRate(1.0));
      int before = front.apiRequests();

      assertThat(client.verify(reference))
          .isInstanceOfSatisfying(
              Unavailable.class, u -> assertThat(u.reason()).isEqualTo(Reason.FAILING));
      assertThat(front.apiRequests() - before).isEqualTo(3);

      front.simulator().faults(Faults.NONE);
      assertThat(client.verify(reference)).isInstanceOf(Ok.class);
    }
  }

  @Test
  void retriesRideOutIntermittentErrorsOnEveryKindOfCall() {
    try (SimulatorFront front = front(42)) {
      PaystackClient client =
          client(
              front.baseUri(),
              quick()
                  .retry(
                      PaystackClient.retries(
                          RetrySettings.of(8, Duration.ofMillis(1), Duration.ofMillis(10))))
                  .circuitBreaker(PaystackClient.breaker(CircuitBreakerSettings.failures(50, 50)))
                  .build());
      front.simulator().faults(Faults.NONE.withApiErrorRate(0.3));
      int calls = 0;
      for (int i = 0; i < 20; i++) {
        String reference = initialized(client);
        assertThat(client.verify(reference)).isInstanceOf(Ok.class);
        assertThat(client.list(TransactionQuery.all().perPage(5))).isInstanceOf(Ok.class);
        calls += 3;
      }
      // every call succeeded in the end, and some needed more than one attempt
      assertThat(front.apiRequests()).isGreaterThan(calls);
    }
  }

  @Test
  void aRetriedInitializeWhoseFirstAnswerWasLostIsResolvedByVerifying() {
    try (SimulatorFront front = front(3)) {
      PaystackClient client = client(front.baseUri(), quick().build());
      String reference = "ref-" + UUID.randomUUID();
      front.loseAnswers("/transaction/initialize", 1);

      var result =
          client.initialize(
              InitializeRequest.of("ada@example.com", Money.of(10_000, "NGN"), reference));

      assertThat(result)
          .isInstanceOfSatisfying(
              Ok.class,
              ok -> {
                Initialized started = (Initialized) ok.value();
                assertThat(started.reference()).isEqualTo(reference);
                assertThat(started.checkoutKnown()).isFalse();
              });
      // the lost attempt, the refused retry, the verification
      assertThat(front.apiRequests()).isEqualTo(3);
    }
  }

  @Test
  void aRetryRefusedAsDuplicateOfSomethingElseStaysADuplicate() {
    try (SimulatorFront front = front(9)) {
      PaystackClient client = client(front.baseUri(), quick().build());
      String reference = initialized(client); // NGN 100 for ada@example.com
      front.loseAnswers("/transaction/initialize", 1); // the first attempt's refusal is lost
      int before = front.apiRequests();

      var result =
          client.initialize(
              InitializeRequest.of("someone-else@example.com", Money.of(99, "NGN"), reference));

      assertThat(result).isInstanceOf(PaystackResult.DuplicateReference.class);
      // the lost attempt, the refused retry, the look-up that found someone else's transaction
      assertThat(front.apiRequests() - before).isEqualTo(3);
    }
  }

  @Test
  void aRetriedTransferWhoseFirstAnswerWasLostIsFoundByItsReference() {
    try (SimulatorFront front = front(4)) {
      PaystackClient client = client(front.baseUri(), quick().build());
      Recipient recipient =
          client
              .createTransferRecipient(RecipientRequest.nuban("Eve", "0001234567", "058"))
              .orElseThrow();
      String reference = "payout-" + UUID.randomUUID();
      front.loseAnswers("/transfer", 1);

      Transfer transfer =
          client
              .initiateTransfer(
                  new TransferRequest(
                      Money.of(5_000, "NGN"), recipient.recipientCode(), null, reference))
              .orElseThrow();

      assertThat(transfer.reference()).isEqualTo(reference);
      assertThat(transfer.amount()).isEqualTo(Money.of(5_000, "NGN"));
    }
  }

  @Test
  void aRefundIsNeverSentTwice() {
    try (SimulatorFront front = front(5)) {
      PaystackClient client = client(front.baseUri(), quick().build());
      String reference = initialized(client);
      PaystackClientTest.pay(front.baseUri(), reference, "success");
      front.loseAnswers("/refund", 1);
      int before = front.apiRequests();

      assertThat(client.refund(new RefundRequest(reference, Money.of(1_000, "NGN"), null, null)))
          .isInstanceOfSatisfying(
              Unavailable.class, u -> assertThat(u.reason()).isEqualTo(Reason.OUTCOME_UNKNOWN));
      assertThat(front.apiRequests() - before).isEqualTo(1);
    }
  }

  @Test
  void anAttemptSlowerThanTheTimeoutEndsAsTimedOut() {
    try (SimulatorFront front = front(6)) {
      PaystackClient client =
          client(
              front.baseUri(),
              quick()
                  .timeout(Duration.ofMillis(200))
                  .retry(
                      PaystackClient.retries(
                          RetrySettings.of(2, Duration.ofMillis(1), Duration.ofMillis(5))))
                  .build());
      String reference = initialized(client);
      front.simulator().faults(Faults.NONE.withApiLatencyMs(2_000));

      long start = System.nanoTime();
      var result = client.verify(reference);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(result)
          .isInstanceOfSatisfying(
              Unavailable.class, u -> assertThat(u.reason()).isEqualTo(Reason.TIMED_OUT));
      assertThat(took).isLessThan(Duration.ofMillis(1_500));
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }

  @Test
  void anOutageOpensTheCircuitAndThenNoRequestIsSent() {
    try (SimulatorFront front = front(7)) {
      Resilience resilience =
          quick()
              .retry(
                  PaystackClient.retries(
                      RetrySettings.of(1, Duration.ofMillis(1), Duration.ofMillis(1))))
              .circuitBreaker(
                  PaystackClient.breaker(
                      CircuitBreakerSettings.failures(3, 3).openFor(Duration.ofMinutes(1))))
              .build();
      PaystackClient client = client(front.baseUri(), resilience);
      String reference = initialized(client);

      // refusals are answers, not failures: they never open the circuit
      for (int i = 0; i < 5; i++) {
        assertThat(client.verify("unknown-" + i)).isInstanceOf(NotFound.class);
      }
      assertThat(resilience.circuitState()).isEqualTo(Resilience.CircuitState.CLOSED);

      front.simulator().faults(Faults.NONE.withOutage(true));
      for (int i = 0; i < 3; i++) {
        assertThat(client.verify(reference))
            .isInstanceOfSatisfying(
                Unavailable.class, u -> assertThat(u.reason()).isEqualTo(Reason.FAILING));
      }
      assertThat(resilience.circuitState()).isEqualTo(Resilience.CircuitState.OPEN);
      int sent = front.apiRequests();

      long start = System.nanoTime();
      var rejected = client.verify(reference);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(rejected)
          .isInstanceOfSatisfying(
              Unavailable.class,
              u -> {
                assertThat(u.reason()).isEqualTo(Reason.CIRCUIT_OPEN);
                assertThat(u.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
              });
      assertThat(
              client.initialize(
                  InitializeRequest.of("ada@example.com", Money.of(1, "NGN"), "ref-open")))
          .isInstanceOf(Unavailable.class);
      assertThat(front.apiRequests()).isEqualTo(sent);
      assertThat(took).isLessThan(Duration.ofMillis(300));
    }
  }

  @Test
  void aFullBulkheadAnswersUnavailableAtOnce() throws Exception {
    try (SimulatorFront front = front(8)) {
      PaystackClient client =
          client(
              front.baseUri(),
              quick().timeout(Duration.ofSeconds(5)).bulkhead(2, Duration.ZERO).build());
      String reference = initialized(client);
      front.simulator().faults(Faults.NONE.withApiLatencyMs(500));

      List<Callable<PaystackResult<Transaction>>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(() -> client.verify(reference));
      }
      List<PaystackResult<Transaction>> results = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (Future<PaystackResult<Transaction>> f : pool.invokeAll(calls)) {
          results.add(f.get());
        }
      }
      assertThat(results).filteredOn(r -> r instanceof Ok).hasSizeBetween(1, 2);
      assertThat(results)
          .filteredOn(r -> r instanceof Unavailable<?> u && u.reason() == Reason.BULKHEAD_FULL)
          .hasSizeGreaterThanOrEqualTo(4);
    }
  }

  @Test
  void tooManyRequestsWaitsForRetryAfterThenSucceeds() {
    String ok =
        "{\"status\":true,\"message\":\"ok\",\"data\":{\"id\":7,\"reference\":\"r1\","
            + "\"status\":\"success\",\"amount\":1000,\"currency\":\"NGN\","
            + "\"paid_at\":\"2026-12-01T12:00:00.000Z\",\"channel\":\"card\",\"fees\":15,"
            + "\"authorization\":{},\"customer\":{\"email\":\"a@example.com\"},"
            + "\"metadata\":\"\"}}";
    try (StubServer stub =
        new StubServer(
            new Answer(429, Map.of("Retry-After", "1"), "{\"status\":false,\"message\":\"slow\"}"),
            Answer.of(200, ok))) {
      PaystackClient client =
          client(
              stub.baseUri(),
              quick()
                  .retry(
                      PaystackClient.retries(
                          RetrySettings.of(3, Duration.ofMillis(1), Duration.ofSeconds(2))))
                  .build());
      long start = System.nanoTime();
      Transaction tx = client.verify("r1").orElseThrow();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      assertThat(tx.amount()).isEqualTo(Money.of(1_000, "NGN"));
      assertThat(tx.authorization()).isNull();
      assertThat(tx.metadata()).isEmpty();
      assertThat(stub.requests()).isEqualTo(2);
    }
  }

  @Test
  void aRetryAfterLongerThanWeWaitIsRateLimitedAtOnce() {
    try (StubServer stub =
        new StubServer(
            new Answer(
                429, Map.of("Retry-After", "120"), "{\"status\":false,\"message\":\"slow\"}"))) {
      PaystackClient client = client(stub.baseUri(), quick().build());
      assertThat(client.verify("r1"))
          .isInstanceOfSatisfying(
              Unavailable.class,
              u -> {
                assertThat(u.reason()).isEqualTo(Reason.RATE_LIMITED);
                assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(120));
              });
      assertThat(stub.requests()).isEqualTo(1);
    }
  }

  @Test
  void paystacksFourHundredForAnUnknownReferenceIsNotFound() {
    try (StubServer stub =
        new StubServer(
            Answer.of(400, "{\"status\":false,\"message\":\"Transaction reference not found\"}"))) {
      PaystackClient client = client(stub.baseUri(), quick().build());
      assertThat(client.verify("nope"))
          .isEqualTo(new NotFound<Transaction>("Transaction reference not found"));
      assertThat(stub.paths()).containsExactly("GET /transaction/verify/nope");
    }
  }

  @Test
  void aClientErrorIsNeverRetried() {
    try (StubServer stub =
        new StubServer(Answer.of(400, "{\"status\":false,\"message\":\"Invalid Amount Sent\"}"))) {
      PaystackClient client = client(stub.baseUri(), quick().build());
      assertThat(client.initialize(InitializeRequest.of("a@example.com", Money.of(1, "NGN"), "r1")))
          .isEqualTo(new PaystackResult.Refused<Initialized>(400, "Invalid Amount Sent"));
      assertThat(stub.requests()).isEqualTo(1);
    }
  }

  @Test
  void malformedAnswersArePaystackExceptionsNamingTheField() {
    record Case(String body, String mentions) {}
    List<Case> cases =
        List.of(
            new Case("this is not json", "not a JSON object"),
            new Case("[1,2]", "not a JSON object"),
            new Case("{\"status\":true,\"message\":\"ok\"}", "data is missing"),
            new Case(
                "{\"status\":true,\"data\":{\"id\":1,\"reference\":\"r\",\"status\":\"success\",\"amount\":5,\"currency\":\"NGN\"}}",
                "data.customer is missing"),
            new Case(
                "{\"status\":true,\"data\":{\"id\":1,\"reference\":\"r\",\"status\":\"success\",\"amount\":\"lots\",\"currency\":\"NGN\",\"customer\":{\"email\":\"a@b.c\"}}}",
                "data.amount is not a whole number"),
            new Case(
                "{\"status\":true,\"data\":{\"id\":1,\"reference\":\"r\",\"status\":\"success\",\"amount\":5,\"currency\":\"XX1\",\"customer\":{\"email\":\"a@b.c\"}}}",
                "data.currency is not a currency code"),
            new Case(
                "{\"status\":true,\"data\":{\"id\":1,\"reference\":null,\"status\":\"success\",\"amount\":5,\"currency\":\"NGN\",\"customer\":{}}}",
                "data.reference is missing"));
    for (Case c : cases) {
      try (StubServer stub = new StubServer(Answer.of(200, c.body()))) {
        PaystackClient client = client(stub.baseUri(), quick().build());
        assertThatThrownBy(() -> client.verify("r"))
            .as(c.body())
            .isInstanceOf(PaystackResponseException.class)
            .hasMessageContaining(c.mentions());
        assertThat(stub.requests()).as("never retried").isEqualTo(1);
      }
    }
    try (StubServer stub = new StubServer(Answer.of(200, "{\"status\":true,\"data\":[]}"))) {
      PaystackClient client = client(stub.baseUri(), quick().build());
      assertThatThrownBy(() -> client.list(TransactionQuery.all()))
          .isInstanceOf(PaystackResponseException.class)
          .hasMessageContaining("meta is missing");
    }
  }
}
