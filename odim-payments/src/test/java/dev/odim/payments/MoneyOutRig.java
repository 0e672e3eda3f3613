package dev.odim.payments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.core.resilience.CircuitBreakerSettings;
import dev.odim.core.resilience.RetrySettings;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.Balance;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.payments.paystack.InitializeRequest;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.paystack.RecipientRequest;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobContext;
import dev.odim.queue.JobListener;
import dev.odim.queue.JobQueue;
import dev.odim.queue.Worker;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.paystack.PaystackSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Everything payouts, refunds and disputes meet in production, for real: PostgreSQL, the ledger,
 * the PostgreSQL queue with a worker running {@link PaymentJobs}, the Paystack client over HTTP,
 * the Paystack simulator (transfers and refunds settled by the test through its control API), and a
 * webhook receiver that applies each event in a transaction as the webhook inbox job would.
 */
final class MoneyOutRig implements AutoCloseable {
  static final Currency NGN = Currency.getInstance("NGN");
  private static final String KEY = "sk_test_money_out";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Db db;
  final Ledger ledger;
  final Payments payments;
  final JobQueue queue;
  final Payouts payouts;
  final Refunds refunds;
  final Disputes disputes;
  final PaystackSimulator simulator;
  final PaystackClient paystack;
  final String recipient;

  /** Every webhook the receiver handled: the event's name and what the handler answered. */
  final List<String> received = Collections.synchronizedList(new ArrayList<>());

  /** Job attempts started, retries scheduled and dead letters, by job type. */
  final ConcurrentHashMap<String, AtomicInteger> jobEvents = new ConcurrentHashMap<>();

  private final HttpServer receiver;
  private final Worker worker;
  private final HttpClient http = HttpClient.newHttpClient();

  MoneyOutRig(TestDatabase database) {
    Clock clock = Clock.systemUTC();
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(40).build();
    ledger = Ledger.builder(db).clock(clock).build();
    payments = Payments.builder(db, ledger).clock(clock).fees(FeePolicy.basisPoints(1000)).build();
    queue = JobQueue.builder(PostgresBackend.builder(db).clock(clock).build()).clock(clock).build();
    Backoff quick = Backoff.exponential(Duration.ofMillis(50), Duration.ofMillis(400));
    payouts =
        Payouts.builder(payments, queue)
            .retryBackoff(quick)
            .verifyAfter(Duration.ofMillis(500))
            .build();
    refunds =
        Refunds.builder(payments, queue)
            .retryBackoff(quick)
            .lookupAfter(Duration.ofMillis(200))
            .build();
    disputes = Disputes.of(payments);
    try {
      receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    receiver.createContext("/webhooks", this::receive);
    receiver.start();
    simulator =
        PaystackSimulator.builder()
            .secretKey(KEY)
            .seed(7)
            .webhookUrl(
                URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks"))
            .webhookMinute(Duration.ofMillis(10))
            .settlePayoutsManually(true)
            .build()
            .start(0);
    paystack =
        PaystackClient.builder()
            .secretKey(KEY)
            .baseUri(simulator.baseUri())
            .resilience(
                PaystackClient.resilienceDefaults()
                    .timeout(Duration.ofSeconds(2))
                    .retry(
                        PaystackClient.retries(
                            RetrySettings.of(2, Duration.ofMillis(5), Duration.ofMillis(20))))
                    .circuitBreaker(
                        PaystackClient.breaker(
                            CircuitBreakerSettings.failures(5, 10).openFor(Duration.ofMillis(300))))
                    .build())
            .build();
    recipient =
        paystack
            .createTransferRecipient(RecipientRequest.nuban("Ada Creator", "0123456789", "058"))
            .orElseThrow()
            .recipientCode();
    worker =
        new PaymentJobs(paystack, payouts, refunds)
            .register(queue.worker().queue(PaymentJobs.QUEUE))
            .concurrency(8)
            .pollInterval(Duration.ofMillis(20))
            .listener(
                new JobListener() {
                  @Override
                  public void started(JobContext job) {
                    count("started " + job.type());
                  }

                  @Override
                  public void retryScheduled(JobContext job, Throwable failure, Instant next) {
                    count("retried " + job.type());
                  }

                  @Override
                  public void deadLettered(JobContext job, String reason) {
                    count("dead " + job.type());
                  }
                })
            .start();
  }

  private void count(String event) {
    jobEvents.computeIfAbsent(event, e -> new AtomicInteger()).incrementAndGet();
  }

  int jobEvents(String event) {
    AtomicInteger n = jobEvents.get(event);
    return n == null ? 0 : n.get();
  }

  private void receive(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode event = JSON.readTree(exchange.getRequestBody());
      String name = event.path("event").asText();
      JsonNode data = event.path("data");
      int status = 200;
      try {
        Object outcome =
            db.inTransaction(
                h ->
                    switch (name) {
                      case "transfer.success" -> payouts.onTransferSuccess(h, data);
                      case "transfer.failed" -> payouts.onTransferFailed(h, data);
                      case "transfer.reversed" -> payouts.onTransferReversed(h, data);
                      case "refund.processed" -> refunds.onRefundProcessed(h, data);
                      case "refund.failed" -> refunds.onRefundFailed(h, data);
                      case "charge.dispute.create" -> disputes.onDisputeCreated(h, data);
                      default -> "ignored";
                    });
        received.add(name + " " + outcome);
      } catch (RuntimeException e) {
        received.add(name + " failed: " + e);
        status = 500;
      }
      exchange.sendResponseHeaders(status, -1);
    }
  }

  /** A creator account that cannot go below zero, credited with {@code kobo} from clearing. */
  UUID creator(long kobo) {
    UUID id = UUID.randomUUID();
    assertThat(
            ledger
                .createAccount(
                    Account.of(id, "NGN", 900)
                        .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS))
                .ok())
        .isTrue();
    if (kobo > 0) {
      assertThat(
              ledger
                  .transfer(
                      Transfer.immediate(
                          UUID.randomUUID(),
                          payments.clearingAccount(NGN),
                          id,
                          Money.of(kobo, NGN),
                          9))
                  .ok())
          .isTrue();
    }
    return id;
  }

  Balance balance(UUID account) {
    return ledger.balance(account).orElseThrow();
  }

  /** A payment of {@code kobo} to {@code creator}, paid at the simulator and settled. */
  String paidPayment(UUID creator, long kobo) {
    String reference = "pay-" + UUID.randomUUID().toString().substring(0, 18);
    payments.create(
        new NewPayment(reference, "fan-1", creator, Money.of(kobo, NGN), "subscription", "s-1"));
    paystack
        .initialize(InitializeRequest.of("fan@example.com", Money.of(kobo, NGN), reference))
        .orElseThrow();
    control("/_control/pay", "{\"reference\":\"" + reference + "\",\"outcome\":\"success\"}");
    ProviderFacts facts =
        PaystackClient.toFacts(paystack.verify(reference).orElseThrow()).orElseThrow();
    assertThat(payments.settle(facts, SettlementSource.VERIFY))
        .isInstanceOf(Settlement.Settled.class);
    return reference;
  }

  /** Posts to the simulator's control API; answers the body. */
  JsonNode control(String path, String body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(simulator.baseUri() + path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Settles a transfer at the simulator: success, failed or reversed. */
  void settleTransfer(String reference, String outcome) {
    control(
        "/_control/pay", "{\"reference\":\"" + reference + "\",\"outcome\":\"" + outcome + "\"}");
  }

  /** The simulator's transfers under {@code reference}. */
  List<JsonNode> transfersAtSimulator(String reference) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode t : state().path("transfers")) {
      if (t.path("reference").asText().equals(reference)) {
        found.add(t);
      }
    }
    return found;
  }

  /** The simulator's refunds of the transaction {@code reference}. */
  List<JsonNode> refundsAtSimulator(String reference) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode r : state().path("refunds")) {
      if (r.path("transaction_reference").asText().equals(reference)) {
        found.add(r);
      }
    }
    return found;
  }

  JsonNode state() {
    try {
      JsonNode root = JSON.readTree(simulator.stateJson());
      return root.has("data") ? root.path("data") : root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PayoutStatus payoutStatus(String reference) {
    return payouts.find(reference).orElseThrow().status();
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Applies an event handler in a transaction of its own, as the webhook inbox job would. */
  EventOutcome inTransaction(java.util.function.Function<org.jdbi.v3.core.Handle, EventOutcome> f) {
    return db.inTransaction(f::apply);
  }

  /** How many rows {@code sql} counts. */
  long count(String sql, Object... args) {
    return db.withHandle(
        h -> {
          var query = h.createQuery(sql);
          for (int i = 0; i < args.length; i++) {
            query.bind(i, args[i]);
          }
          return query.mapTo(Long.class).one();
        });
  }

  @Override
  public void close() {
    worker.close();
    simulator.close();
    receiver.stop(0);
    ledger.close();
    db.close();
  }
}
