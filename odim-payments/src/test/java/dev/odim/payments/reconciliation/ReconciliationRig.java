package dev.odim.payments.reconciliation;

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
import dev.odim.ledger.Ledger;
import dev.odim.payments.FeePolicy;
import dev.odim.payments.NewPayment;
import dev.odim.payments.Payments;
import dev.odim.payments.Refunds;
import dev.odim.payments.paystack.InitializeRequest;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.queue.JobQueue;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.paystack.PaystackSimulator;
import dev.odim.testkit.paystack.SimulatorRequest;
import dev.odim.testkit.paystack.SimulatorResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What reconciliation meets in production, for real: PostgreSQL, the ledger, payments on a settable
 * clock, the PostgreSQL queue, and the Paystack simulator on the same clock, served through a front
 * that can refuse the transaction list's later pages (Paystack failing in the middle of a run).
 */
final class ReconciliationRig implements AutoCloseable {
  static final Currency NGN = Currency.getInstance("NGN");
  private static final String KEY = "sk_test_reconciliation";
  private static final ObjectMapper JSON = new ObjectMapper();

  final SettableClock clock = SettableClock.at(Instant.parse("2026-11-01T00:00:00Z"));
  final Db db;
  final Ledger ledger;
  final Payments payments;
  final JobQueue queue;
  final Refunds refunds;
  final PaystackSimulator simulator;
  final PaystackClient paystack;

  /** While positive, list requests for this page number and later are answered 500. */
  volatile int failListsFromPage;

  /** How often each page of the transaction list was answered. */
  final ConcurrentHashMap<Integer, AtomicInteger> transactionPagesServed =
      new ConcurrentHashMap<>();

  private final HttpServer front;
  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  ReconciliationRig(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(40).build();
    ledger = Ledger.builder(db).clock(clock).build();
    payments =
        Payments.builder(db, ledger)
            .clock(clock)
            .fees(FeePolicy.basisPoints(1000))
            .currencies(List.of(NGN, Currency.getInstance("GHS")))
            .build();
    queue = JobQueue.builder(PostgresBackend.builder(db).clock(clock).build()).clock(clock).build();
    refunds = Refunds.builder(payments, queue).build();
    simulator = PaystackSimulator.builder().secretKey(KEY).seed(11).clock(clock).build();
    try {
      front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    front.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    front.createContext("/", this::serve);
    front.start();
    base =
        URI.create(
            "http://127.0.0.1:"
                + front.getAddress().getPort()
                + PaystackSimulator.DEFAULT_BASE_PATH);
    paystack =
        PaystackClient.builder()
            .secretKey(KEY)
            .baseUri(base)
            .resilience(
                PaystackClient.resilienceDefaults()
                    .timeout(Duration.ofSeconds(5))
                    .retry(
                        PaystackClient.retries(
                            RetrySettings.of(1, Duration.ofMillis(1), Duration.ofMillis(2))))
                    .circuitBreaker(
                        PaystackClient.breaker(
                            CircuitBreakerSettings.failures(1000, 1000)
                                .openFor(Duration.ofMillis(10))))
                    .build())
            .build();
  }

  Reconciliation.Builder reconciliation() {
    return Reconciliation.builder(payments, paystack).refunds(refunds).pageSize(50);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      int failFrom = failListsFromPage;
      if (path.endsWith("/transaction") && query != null) {
        int page = 1;
        for (String pair : query.split("&")) {
          if (pair.startsWith("page=")) {
            page = Integer.parseInt(pair.substring(5));
          }
        }
        if (failFrom > 0 && page >= failFrom) {
          byte[] body = "{\"status\":false,\"message\":\"down\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(500, body.length);
          exchange.getResponseBody().write(body);
          return;
        }
        transactionPagesServed.computeIfAbsent(page, p -> new AtomicInteger()).incrementAndGet();
      }
      SimulatorResponse answer =
          simulator.handle(
              new SimulatorRequest(
                  exchange.getRequestMethod(),
                  path,
                  query == null ? "" : query,
                  exchange.getRequestHeaders(),
                  exchange.getRequestBody().readAllBytes()));
      answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      byte[] body = answer.body();
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** A creator account that cannot go below zero. */
  UUID creator() {
    UUID id = UUID.randomUUID();
    assertThat(
            ledger
                .createAccount(
                    Account.of(id, "NGN", 900)
                        .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS))
                .ok())
        .isTrue();
    return id;
  }

  static String reference(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
  }

  /** An intent of {@code kobo} NGN, marked pending (the payer went to Paystack). */
  String pendingIntent(String reference, UUID creator, long kobo, String purposeId) {
    payments.create(
        new NewPayment(
            reference, "fan-1", creator, Money.of(kobo, NGN), "subscription", purposeId));
    db.useTransaction(h -> assertThat(payments.markPending(h, reference)).isTrue());
    return reference;
  }

  /** Initializes a checkout at the simulator and plays the payer's {@code outcome}. */
  void atProvider(String reference, long kobo, String currency, String outcome) {
    paystack
        .initialize(
            InitializeRequest.of(
                "fan@example.com", Money.of(kobo, Currency.getInstance(currency)), reference))
        .orElseThrow();
    if (!outcome.equals("ongoing")) {
      control(
          "/_control/pay", "{\"reference\":\"" + reference + "\",\"outcome\":\"" + outcome + "\"}");
    }
  }

  /** Records many transactions at the simulator at once (no webhooks). */
  void seed(List<String> references, long kobo, String status) {
    StringBuilder body = new StringBuilder("{\"transactions\":[");
    for (int i = 0; i < references.size(); i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append("{\"reference\":\"")
          .append(references.get(i))
          .append("\",\"amount\":")
          .append(kobo)
          .append(",\"email\":\"fan@example.com\",\"status\":\"")
          .append(status)
          .append("\"}");
    }
    control("/_control/transactions", body.append("]}").toString());
  }

  JsonNode control(String path, String body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path))
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

  /** A digest of every row of every table in our schemas: equal digests, nothing written. */
  Map<String, String> snapshot() {
    return db.withHandle(
        h -> {
          List<String> tables =
              h.createQuery(
                      "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                          + " WHERE table_schema IN ('odim_payments', 'odim_ledger', 'odim_queue')"
                          + " AND table_type = 'BASE TABLE' ORDER BY 1")
                  .mapTo(String.class)
                  .list();
          Map<String, String> digests = new LinkedHashMap<>();
          for (String table : tables) {
            digests.put(
                table,
                h.createQuery(
                        "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|'"
                            + " ORDER BY t::text)), '') FROM "
                            + table
                            + " t")
                    .mapTo(String.class)
                    .one());
          }
          return digests;
        });
  }

  @Override
  public void close() {
    front.stop(0);
    simulator.close();
    ledger.close();
    db.close();
  }
}
