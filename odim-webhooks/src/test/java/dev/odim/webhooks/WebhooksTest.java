package dev.odim.webhooks;

import static dev.odim.webhooks.PaystackDeliveries.chargeSuccess;
import static dev.odim.webhooks.PaystackDeliveries.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.db.Db;
import dev.odim.core.http.ForwardingHttpRequest;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.JobQueue;
import dev.odim.queue.Worker;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import dev.odim.webhooks.provider.Paystack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Intake, de-duplication, dispatch, retries, dead letters and replay on a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class WebhooksTest {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Db db;

  private String schema;
  private SettableClock clock;
  private JobQueue queue;
  private PostgresBackend backend;
  private SimpleMeterRegistry meters;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(30).build();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void setUp() {
    schema = "hooks_" + SCHEMAS.incrementAndGet();
    clock = SettableClock.at(Instant.parse("2026-11-25T10:00:00Z"));
    backend = PostgresBackend.builder(db).schema(schema + "_queue").clock(clock).build();
    queue = JobQueue.builder(backend).clock(clock).build();
    meters = new SimpleMeterRegistry();
    db.useTransaction(
        h ->
            h.execute(
                "CREATE TABLE "
                    + schema
                    + "_effects (reference text NOT NULL, event text NOT NULL,"
                    + " seq bigint GENERATED ALWAYS AS IDENTITY)"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
    backend.close();
  }

  private Webhooks webhooks(Consumer<WebhooksBuilder> configure) {
    WebhooksBuilder builder =
        Webhooks.builder(db, queue)
            .schema(schema)
            .clock(clock)
            .meterRegistry(meters)
            .provider(Paystack.withSecrets(SigningSecrets.of(PaystackDeliveries.SECRET)));
    configure.accept(builder);
    Webhooks webhooks = builder.build();
    closing.add(webhooks);
    return webhooks;
  }

  private Webhooks recordingWebhooks() {
    return webhooks(b -> b.on("paystack", "charge.success", this::recordEffect));
  }

  private void recordEffect(WebhookEvent event, org.jdbi.v3.core.Handle handle) {
    handle.execute(
        "INSERT INTO " + schema + "_effects (reference, event) VALUES (?, ?)",
        event.payload().path("data").path("reference").asText(),
        event.type());
  }

  private Worker start(Webhooks webhooks) {
    Worker worker = webhooks.worker().concurrency(8).pollInterval(Duration.ofMillis(50)).start();
    closing.add(worker);
    return worker;
  }

  private long count(String sql) {
    return db.inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  private long effects(String reference) {
    return count(
        "SELECT count(*) FROM " + schema + "_effects WHERE reference = '" + reference + "'");
  }

  private long inboxRows() {
    return count("SELECT count(*) FROM " + schema + ".inbox");
  }

  private long jobs() {
    return count("SELECT count(*) FROM " + schema + "_queue.jobs");
  }

  private static Map<?, ?> json(HttpResponse response) throws Exception {
    return JSON.readValue(response.body(), Map.class);
  }

  // ---- intake ---------------------------------------------------------------------------------

  @Test
  void headersAreStoredAsTheyArrivedWhateverCharactersTheyHold() throws Exception {
    Webhooks webhooks = recordingWebhooks();
    byte[] body = chargeSuccess(11, "ref-headers").getBytes(StandardCharsets.UTF_8);
    String odd = "a \"quoted\" \\ back\tslash, \u0001 control, caf\u00e9 \u2603";
    HttpRequest request =
        HttpRequest.of(
            "POST",
            "/webhooks/paystack",
            Map.of(
                "Content-Type", List.of("application/json"),
                "X-Paystack-Signature",
                    List.of(PaystackDeliveries.sign(PaystackDeliveries.SECRET, body)),
                "X-Odd", List.of(odd, "second"),
                "Authorization", List.of("Bearer never-stored")),
            body,
            "52.31.139.75");

    HttpResponse response = webhooks.endpoint("paystack").handle(request);

    assertThat(response.status()).isEqualTo(200);
    UUID id = UUID.fromString((String) json(response).get("id"));
    Map<String, List<String>> headers = webhooks.admin().event(id).orElseThrow().headers();
    assertThat(headers).containsEntry("x-odd", List.of(odd, "second"));
    assertThat(headers).containsKeys("content-type", "x-paystack-signature");
    assertThat(headers).doesNotContainKey("authorization");
  }

  @Test
  void aVerifiedDeliveryIsStoredWithItsJobBeforeTheAnswer() throws Exception {
    Webhooks webhooks = recordingWebhooks();

    HttpResponse response = webhooks.endpoint("paystack").handle(signed(chargeSuccess(1, "ref-1")));

    assertThat(response.status()).isEqualTo(200);
    UUID id = UUID.fromString((String) json(response).get("id"));
    assertThat(json(response).get("duplicate")).isEqualTo(false);
    InboxEvent event = webhooks.admin().event(id).orElseThrow();
    assertThat(event.status()).isEqualTo(InboxStatus.RECEIVED);
    assertThat(event.type()).isEqualTo("charge.success");
    assertThat(event.provider()).isEqualTo("paystack");
    assertThat(event.headers()).containsKey("x-paystack-signature");
    assertThat(event.prettyBody()).contains("\n").contains("\"reference\" : \"ref-1\"");
    assertThat(jobs()).isEqualTo(1);
    assertThat(queue.admin().job(id)).isPresent();
  }

  @Test
  void duplicateDeliveriesInParallelAreStoredOnceAndProcessedOnce() throws Exception {
    Webhooks webhooks = recordingWebhooks();
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    String body = chargeSuccess(7, "ref-dup");
    int threads = 100;
    List<Callable<HttpResponse>> deliveries =
        Collections.nCopies(threads, () -> endpoint.handle(signed(body)));

    List<HttpResponse> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (Future<HttpResponse> f : pool.invokeAll(deliveries)) {
        responses.add(f.get());
      }
    }

    assertThat(responses).allMatch(r -> r.status() == 200);
    Set<Object> ids = new java.util.HashSet<>();
    int duplicates = 0;
    for (HttpResponse r : responses) {
      ids.add(json(r).get("id"));
      duplicates += Boolean.TRUE.equals(json(r).get("duplicate")) ? 1 : 0;
    }
    assertThat(ids).as("every answer names the one stored event").hasSize(1);
    assertThat(duplicates).isEqualTo(threads - 1);
    assertThat(inboxRows()).isEqualTo(1);
    assertThat(count("SELECT duplicates FROM " + schema + ".inbox")).isEqualTo(threads - 1);
    assertThat(jobs()).isEqualTo(1);

    start(webhooks);
    await().atMost(Duration.ofSeconds(20)).until(() -> webhooks.admin().backlog() == 0);
    assertThat(effects("ref-dup")).isEqualTo(1);
    assertThat(
            meters
                .get("odim_webhooks_received_total")
                .tag("outcome", "duplicate")
                .counter()
                .count())
        .isEqualTo(threads - 1);
  }

  @Test
  void aRedeliveryAfterProcessingIsAnsweredAndNotProcessedAgain() throws Exception {
    Webhooks webhooks = recordingWebhooks();
    start(webhooks);
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    endpoint.handle(signed(chargeSuccess(8, "ref-again")));
    await().atMost(Duration.ofSeconds(20)).until(() -> effects("ref-again") == 1);

    HttpResponse again = endpoint.handle(signed(chargeSuccess(8, "ref-again")));

    assertThat(again.status()).isEqualTo(200);
    assertThat(json(again).get("duplicate")).isEqualTo(true);
    assertThat(jobs()).isZero();
    await().during(Duration.ofMillis(300)).until(() -> effects("ref-again") == 1);
  }

  @Test
  void aWrongOrMissingSignatureIsRefusedAndWritesNothing() throws Exception {
    Webhooks webhooks = recordingWebhooks();
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    byte[] body = chargeSuccess(2, "ref-forged").getBytes(StandardCharsets.UTF_8);

    HttpResponse forged =
        endpoint.handle(
            PaystackDeliveries.request(
                body, PaystackDeliveries.sign("sk_someone_else", body), "application/json"));
    HttpResponse unsigned =
        endpoint.handle(
            HttpRequest.of(
                "POST",
                "/webhooks/paystack",
                Map.of("Content-Type", List.of("application/json")),
                body,
                "127.0.0.1"));

    for (HttpResponse response : List.of(forged, unsigned)) {
      assertThat(response.status()).isEqualTo(401);
      assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(json(response).get("code")).isEqualTo("invalid_signature");
      assertThat(response.bodyText()).doesNotContain("ref-forged").doesNotContain("at dev.");
    }
    assertThat(inboxRows()).isZero();
    assertThat(jobs()).isZero();
    assertThat(meters.get("odim_auth_failures_total").counter().count()).isEqualTo(2);
  }

  @Test
  void aBodyOverTheLimitIsRefusedWithoutReadingItWhole() throws Exception {
    Webhooks webhooks = webhooks(b -> b.maxBodyBytes(4096));
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    AtomicInteger read = new AtomicInteger();
    byte[] big = new byte[10 << 20];
    HttpRequest declared =
        streaming(Map.of("Content-Length", List.of(Integer.toString(big.length))), big, read);
    HttpRequest chunked = streaming(Map.of(), big, read);

    HttpResponse declaredAnswer = endpoint.handle(declared);
    assertThat(read.get()).as("refused from Content-Length alone").isZero();
    HttpResponse chunkedAnswer = endpoint.handle(chunked);

    assertThat(declaredAnswer.status()).isEqualTo(413);
    assertThat(chunkedAnswer.status()).isEqualTo(413);
    assertThat(json(chunkedAnswer).get("code")).isEqualTo("payload_too_large");
    assertThat(read.get()).as("at most one byte past the limit").isLessThanOrEqualTo(4097);
    assertThat(inboxRows()).isZero();
  }

  private static HttpRequest streaming(
      Map<String, List<String>> extra, byte[] body, AtomicInteger read) {
    Map<String, List<String>> headers = new java.util.HashMap<>(extra);
    headers.put("Content-Type", List.of("application/json"));
    headers.put("X-Paystack-Signature", List.of("00"));
    HttpRequest plain = HttpRequest.of("POST", "/webhooks/paystack", headers, new byte[0], "::1");
    return new ForwardingHttpRequest(plain) {
      @Override
      public InputStream body() {
        return new ByteArrayInputStream(body) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            if (n > 0) {
              read.addAndGet(n);
            }
            return n;
          }
        };
      }
    };
  }

  @Test
  void anotherContentTypeOrMethodIsRefused() throws Exception {
    Webhooks webhooks = recordingWebhooks();
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    byte[] body = chargeSuccess(3, "ref-form").getBytes(StandardCharsets.UTF_8);

    HttpResponse form =
        endpoint.handle(
            PaystackDeliveries.request(
                body,
                PaystackDeliveries.sign(PaystackDeliveries.SECRET, body),
                "application/x-www-form-urlencoded"));
    HttpResponse get =
        endpoint.handle(HttpRequest.of("GET", "/webhooks/paystack", Map.of(), new byte[0], "::1"));

    assertThat(form.status()).isEqualTo(415);
    assertThat(json(form).get("code")).isEqualTo("unsupported_media_type");
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.header("Allow")).isEqualTo("POST");
    assertThat(inboxRows()).isZero();
  }

  @Test
  void aSignedBodyThatIsNotAnEventIsStoredAndDeadLetteredWithTheReason() throws Exception {
    Webhooks webhooks = recordingWebhooks();
    start(webhooks);

    HttpResponse response = webhooks.endpoint("paystack").handle(signed("{\"not\": \"an event\""));

    assertThat(response.status())
        .as("answered 200 so the provider stops re-sending")
        .isEqualTo(200);
    UUID id = UUID.fromString((String) json(response).get("id"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> webhooks.admin().event(id).orElseThrow().status() == InboxStatus.DEAD);
    var dead = queue.admin().deadLetters(DeadLetterQuery.all()).items();
    assertThat(dead).hasSize(1);
    assertThat(dead.getFirst().id()).isEqualTo(id);
    assertThat(dead.getFirst().reason()).contains("not a paystack event");
    assertThat(webhooks.admin().event(id).orElseThrow().lastError())
        .contains("not a paystack event");
  }

  @Test
  void anUnknownEventTypeIsStoredAsIgnoredAndReplayableOnceHandled() throws Exception {
    Webhooks withoutHandler = webhooks(b -> {});
    HttpResponse response =
        withoutHandler.endpoint("paystack").handle(signed(chargeSuccess(4, "ref-later")));
    UUID id = UUID.fromString((String) json(response).get("id"));
    assertThat(withoutHandler.admin().event(id).orElseThrow().status())
        .isEqualTo(InboxStatus.IGNORED);
    assertThat(jobs()).isZero();

    Webhooks withHandler = recordingWebhooks();
    start(withHandler);
    assertThat(withHandler.admin().replay(id)).isEqualTo(ReplayResult.REPLAYED);

    await().atMost(Duration.ofSeconds(20)).until(() -> effects("ref-later") == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> withHandler.admin().event(id).orElseThrow().status() == InboxStatus.PROCESSED);
    assertThat(withHandler.admin().replay(id)).isEqualTo(ReplayResult.NOT_REPLAYABLE);
    assertThat(withHandler.admin().replay(UUID.randomUUID())).isEqualTo(ReplayResult.NOT_FOUND);
  }

  /** Waits until the handler ran {@code attempt} times and the inbox recorded that attempt. */
  private static void awaitAttempt(
      Webhooks webhooks, UUID id, java.util.function.IntSupplier runs, int attempt) {
    await().atMost(Duration.ofSeconds(20)).until(() -> runs.getAsInt() >= attempt);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> webhooks.admin().event(id).orElseThrow().attempts() == attempt);
  }

  // ---- idempotent handlers, run outside the job's transaction
  // ------------------------------------

  @Test
  void anIdempotentHandlerRunsWithNoTransactionOfTheInboxOpen() throws Exception {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    Webhooks webhooks =
        webhooks(
            b ->
                b.onIdempotent(
                    "paystack",
                    "charge.success",
                    event ->
                        // NOWAIT fails at once if a transaction of the dispatcher's held the row.
                        db.useTransaction(
                            h -> {
                              h.createQuery(
                                      "SELECT status FROM "
                                          + schema
                                          + ".inbox WHERE id = :id FOR UPDATE NOWAIT")
                                  .bind("id", event.id())
                                  .mapTo(String.class)
                                  .one();
                              seen.add(event.payload().path("data").path("reference").asText());
                            })));
    HttpResponse response =
        webhooks.endpoint("paystack").handle(signed(chargeSuccess(11, "ref-outside")));
    UUID id = UUID.fromString((String) json(response).get("id"));
    assertThat(
            count(
                "SELECT count(*) FROM "
                    + schema
                    + "_queue.jobs WHERE type = '"
                    + Webhooks.IDEMPOTENT_JOB_TYPE
                    + "'"))
        .isEqualTo(1);

    start(webhooks);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> webhooks.admin().event(id).orElseThrow().status() == InboxStatus.PROCESSED);
    assertThat(seen).containsExactly("ref-outside");
    assertThat(webhooks.admin().event(id).orElseThrow().attempts()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> jobs() == 0);
  }

  @Test
  void anIdempotentHandlerThatThrowsIsRetriedAndTheEventProcessedWhenItReturns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Webhooks webhooks =
        webhooks(
            b ->
                b.onIdempotent(
                    "paystack",
                    "charge.success",
                    event -> {
                      if (runs.incrementAndGet() <= 2) {
                        throw new IllegalStateException("flaky downstream " + runs.get());
                      }
                    }));
    start(webhooks);
    HttpResponse response =
        webhooks.endpoint("paystack").handle(signed(chargeSuccess(12, "ref-flaky-outside")));
    UUID id = UUID.fromString((String) json(response).get("id"));

    for (int failed = 1; failed <= 2; failed++) {
      awaitAttempt(webhooks, id, runs::get, failed);
      assertThat(webhooks.admin().event(id).orElseThrow().status()).isEqualTo(InboxStatus.RECEIVED);
      clock.advance(Duration.ofHours(16).plusMinutes(1)); // past the longest backoff
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> webhooks.admin().event(id).orElseThrow().status() == InboxStatus.PROCESSED);
    assertThat(runs.get()).isEqualTo(3);
    assertThat(webhooks.admin().event(id).orElseThrow().attempts()).isEqualTo(3);
    assertThat(queue.admin().deadLetters(DeadLetterQuery.all()).items()).isEmpty();
  }

  @Test
  void duplicateDeliveriesToAnIdempotentHandlerAreProcessedOnceEach() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Webhooks webhooks =
        webhooks(
            b ->
                b.onIdempotent(
                    "paystack",
                    "charge.success",
                    event -> {
                      runs.incrementAndGet();
                      // The handler's own idempotency: one effect per reference, however many
                      // events report it.
                      db.useTransaction(
                          h ->
                              h.execute(
                                  "INSERT INTO "
                                      + schema
                                      + "_effects (reference, event) SELECT ?, ? WHERE NOT EXISTS"
                                      + " (SELECT 1 FROM "
                                      + schema
                                      + "_effects WHERE reference = ?)",
                                  event.payload().path("data").path("reference").asText(),
                                  event.type(),
                                  event.payload().path("data").path("reference").asText()));
                    }));
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    List<Callable<HttpResponse>> deliveries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // Two payments a round, each delivered three times (Paystack's key is the reference).
      for (int copy = 0; copy < 3; copy++) {
        String first = chargeSuccess(1_000 + i, "ref-many-a" + i);
        String second = chargeSuccess(2_000 + i, "ref-many-b" + i);
        deliveries.add(() -> endpoint.handle(signed(first)));
        deliveries.add(() -> endpoint.handle(signed(second)));
      }
    }
    Collections.shuffle(deliveries);
    try (ExecutorService pool = Executors.newFixedThreadPool(24)) {
      for (Future<HttpResponse> f : pool.invokeAll(deliveries)) {
        assertThat(f.get().status()).isEqualTo(200);
      }
    }

    start(webhooks);

    await().atMost(Duration.ofSeconds(30)).until(() -> webhooks.admin().backlog() == 0);
    assertThat(inboxRows()).isEqualTo(80);
    assertThat(count("SELECT count(*) FROM " + schema + ".inbox WHERE status = 'processed'"))
        .isEqualTo(80);
    assertThat(runs.get()).isEqualTo(80); // once per stored event: duplicates were not queued
    assertThat(count("SELECT count(*) FROM " + schema + "_effects")).isEqualTo(80);
    assertThat(
            count(
                "SELECT count(*) FROM (SELECT reference FROM "
                    + schema
                    + "_effects GROUP BY reference HAVING count(*) > 1) d"))
        .isZero();
  }

  @Test
  void aHandlerTypeIsRegisteredOnceWhicheverKind() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    webhooks(
                        b ->
                            b.on("paystack", "charge.success", this::recordEffect)
                                .onIdempotent("paystack", "charge.success", event -> {}))))
        .isInstanceOf(dev.odim.core.OdimConfigException.class)
        .hasMessageContaining("two handlers");
  }

  // ---- processing -----------------------------------------------------------------------------

  @Test
  void aHandlerFailingTwiceThenSucceedingAppliesItsEffectOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Webhooks webhooks =
        webhooks(
            b ->
                b.on(
                    "paystack",
                    "charge.success",
                    (event, handle) -> {
                      recordEffect(event, handle); // rolled back with the failure
                      if (runs.incrementAndGet() <= 2) {
                        throw new IllegalStateException("flaky downstream " + runs.get());
                      }
                    }));
    start(webhooks);
    HttpResponse response =
        webhooks.endpoint("paystack").handle(signed(chargeSuccess(5, "ref-flaky")));
    UUID id = UUID.fromString((String) json(response).get("id"));

    for (int failed = 1; failed <= 2; failed++) {
      awaitAttempt(webhooks, id, runs::get, failed);
      clock.advance(Duration.ofHours(16).plusMinutes(1)); // past the longest backoff
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> webhooks.admin().event(id).orElseThrow().status() == InboxStatus.PROCESSED);
    assertThat(runs.get()).isEqualTo(3);
    assertThat(effects("ref-flaky")).isEqualTo(1);
    InboxEvent event = webhooks.admin().event(id).orElseThrow();
    assertThat(event.attempts()).isEqualTo(3);
    assertThat(queue.admin().deadLetters(DeadLetterQuery.all()).items()).isEmpty();
  }

  @Test
  void aHandlerThatAlwaysFailsEndsInTheDeadLettersAfterThreeAttemptsWithin24Hours()
      throws Exception {
    List<Instant> attempts = Collections.synchronizedList(new ArrayList<>());
    Webhooks webhooks =
        webhooks(
            b ->
                b.on(
                    "paystack",
                    "charge.success",
                    (event, handle) -> {
                      attempts.add(clock.instant());
                      throw new IllegalStateException("still failing " + attempts.size());
                    }));
    Worker failing = start(webhooks);
    Instant received = clock.instant();
    HttpResponse response =
        webhooks.endpoint("paystack").handle(signed(chargeSuccess(6, "ref-dead")));
    UUID id = UUID.fromString((String) json(response).get("id"));

    for (int attempt = 1; attempt <= 3; attempt++) {
      awaitAttempt(webhooks, id, attempts::size, attempt);
      if (attempt < 3) {
        clock.advance(Duration.ofHours(attempt == 1 ? 8 : 16).plusMinutes(1));
      }
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> webhooks.admin().event(id).orElseThrow().status() == InboxStatus.DEAD);
    assertThat(attempts).hasSize(3);
    assertThat(Duration.between(received, attempts.get(2)))
        .isLessThanOrEqualTo(Duration.ofHours(24).plusMinutes(2));
    var dead = queue.admin().deadLetters(DeadLetterQuery.all()).items();
    assertThat(dead).singleElement().satisfies(d -> assertThat(d.history()).hasSize(3));
    assertThat(webhooks.admin().event(id).orElseThrow().lastError()).contains("still failing 3");

    // fixed downstream: the failing handler is gone (were its worker still polling, it could take
    // the replayed job before the fixed one), the operator replays the event, processed once
    failing.close();
    Webhooks fixed = recordingWebhooks();
    start(fixed);
    assertThat(fixed.admin().replay(id)).isEqualTo(ReplayResult.REPLAYED);
    await().atMost(Duration.ofSeconds(20)).until(() -> effects("ref-dead") == 1);
    assertThat(queue.admin().deadLetters(DeadLetterQuery.all()).items()).isEmpty();
  }

  @Test
  void eventsOfOneReferenceAreProcessedOneAtATimeInTheOrderReceived() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    WebhookHandler slow =
        (event, handle) -> {
          if (inFlight.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          try {
            Thread.sleep(5);
            handle.execute(
                "INSERT INTO " + schema + "_effects (reference, event) VALUES (?, ?)",
                event.payload().path("data").path("transaction_reference").asText(),
                event.payload().path("data").path("id").asText());
          } finally {
            inFlight.decrementAndGet();
          }
        };
    Webhooks webhooks =
        webhooks(
            b -> b.on("paystack", "refund.processed", slow).on("paystack", "refund.failed", slow));
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    List<String> events = List.of("refund.failed", "refund.processed");
    for (int i = 1; i <= 30; i++) {
      HttpResponse answer =
          endpoint.handle(signed(PaystackDeliveries.refund(events.get(i % 2), i, "ref-order")));
      assertThat(json(answer).get("duplicate")).isEqualTo(false);
    }
    start(webhooks);

    await().atMost(Duration.ofSeconds(30)).until(() -> effects("ref-order") == 30);
    List<Long> order =
        db.inTransaction(
            h ->
                h.createQuery("SELECT event::bigint FROM " + schema + "_effects ORDER BY seq")
                    .mapTo(Long.class)
                    .list());
    assertThat(order).isSorted().hasSize(30);
    assertThat(overlaps.get()).isZero();
  }

  @Test
  void aReversalThatArrivesBeforeItsSuccessIsSettledByTheHandlersStateMachine() throws Exception {
    // A payout's state only moves forward: pending -> success -> reversed, or pending -> failed.
    // A success that arrives after the reversal changes nothing.
    db.useTransaction(
        h ->
            h.execute(
                "CREATE TABLE "
                    + schema
                    + "_payouts (reference text PRIMARY KEY, state text NOT NULL)"));
    WebhookHandler payouts =
        (event, handle) -> {
          String reference = event.payload().path("data").path("reference").asText();
          String next = event.type().substring("transfer.".length());
          int rank = List.of("pending", "success", "failed", "reversed").indexOf(next);
          handle.execute(
              "INSERT INTO "
                  + schema
                  + "_payouts AS p (reference, state) VALUES (?, ?) ON CONFLICT (reference) DO"
                  + " UPDATE SET state = excluded.state WHERE array_position("
                  + "ARRAY['pending','success','failed','reversed'], p.state) < ?",
              reference,
              next,
              rank + 1);
        };
    Webhooks webhooks =
        webhooks(
            b ->
                b.on("paystack", "transfer.success", payouts)
                    .on("paystack", "transfer.reversed", payouts));
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");

    endpoint.handle(signed(PaystackDeliveries.transfer("transfer.reversed", 91, "po-1")));
    endpoint.handle(signed(PaystackDeliveries.transfer("transfer.success", 90, "po-1")));
    start(webhooks);

    await().atMost(Duration.ofSeconds(20)).until(() -> webhooks.admin().backlog() == 0);
    String state =
        db.inTransaction(
            h ->
                h.createQuery("SELECT state FROM " + schema + "_payouts WHERE reference = 'po-1'")
                    .mapTo(String.class)
                    .one());
    assertThat(state).isEqualTo("reversed");
  }

  @Test
  void theAdminListsEventsByStatusNewestFirstInPages() throws Exception {
    Webhooks webhooks = webhooks(b -> {});
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    for (int i = 0; i < 5; i++) {
      endpoint.handle(signed(chargeSuccess(100 + i, "ref-list-" + i)));
      clock.advance(Duration.ofSeconds(1));
    }

    List<InboxEvent> first =
        webhooks.admin().events(InboxQuery.all().withStatus(InboxStatus.IGNORED).withLimit(3));
    List<InboxEvent> second =
        webhooks
            .admin()
            .events(
                InboxQuery.all()
                    .withStatus(InboxStatus.IGNORED)
                    .withLimit(3)
                    .after(first.getLast()));

    assertThat(first).extracting(InboxEvent::key).hasSize(3);
    assertThat(second).hasSize(2);
    List<InboxEvent> all = new ArrayList<>(first);
    all.addAll(second);
    assertThat(all)
        .extracting(InboxEvent::receivedAt)
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(webhooks.admin().events(InboxQuery.all().withStatus(InboxStatus.PROCESSED)))
        .isEmpty();
  }

  @Test
  void withTheAllowListOnOnlyThePaystackAddressesAreAccepted() throws Exception {
    Webhooks webhooks =
        webhooks(
            b ->
                b.on("paystack", "charge.success", this::recordEffect)
                    .sourceAllowList(
                        "paystack",
                        Paystack.sourceIpAllowList().trustingProxies(List.of("10.0.0.0/8"))));
    WebhookEndpoint endpoint = webhooks.endpoint("paystack");
    byte[] body = chargeSuccess(11, "ref-ip").getBytes(StandardCharsets.UTF_8);
    String signature = PaystackDeliveries.sign(PaystackDeliveries.SECRET, body);

    HttpResponse stranger = endpoint.handle(from("203.0.113.9", List.of(), body, signature));
    HttpResponse spoofed =
        endpoint.handle(from("203.0.113.9", List.of("52.31.139.75"), body, signature));
    HttpResponse viaProxy =
        endpoint.handle(from("10.1.2.3", List.of("52.31.139.75"), body, signature));

    assertThat(stranger.status()).isEqualTo(403);
    assertThat(json(stranger).get("code")).isEqualTo("source_not_allowed");
    assertThat(spoofed.status()).as("X-Forwarded-For from an untrusted peer").isEqualTo(403);
    assertThat(viaProxy.status()).isEqualTo(200);
    assertThat(inboxRows()).isEqualTo(1);
  }

  private static HttpRequest from(
      String peer, List<String> forwardedFor, byte[] body, String signature) {
    Map<String, List<String>> headers = new java.util.HashMap<>();
    headers.put("Content-Type", List.of("application/json"));
    headers.put("X-Paystack-Signature", List.of(signature));
    if (!forwardedFor.isEmpty()) {
      headers.put("X-Forwarded-For", forwardedFor);
    }
    return HttpRequest.of("POST", "/webhooks/paystack", headers, body, peer);
  }

  @Test
  void replayAllRequeuesEveryIgnoredEventOfAType() throws Exception {
    Webhooks withoutHandler = webhooks(b -> {});
    for (int i = 0; i < 4; i++) {
      withoutHandler.endpoint("paystack").handle(signed(chargeSuccess(200 + i, "ref-bulk-" + i)));
    }
    withoutHandler
        .endpoint("paystack")
        .handle(signed(PaystackDeliveries.transfer("transfer.success", 299, "ref-bulk-transfer")));

    Webhooks withHandler = recordingWebhooks();
    start(withHandler);
    int replayed =
        withHandler
            .admin()
            .replayAll(
                InboxQuery.all().withStatus(InboxStatus.IGNORED).withType("charge.success"), 100);

    assertThat(replayed).isEqualTo(4);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM "
                            + schema
                            + "_effects WHERE reference LIKE 'ref-bulk-%'")
                    == 4);
    assertThat(withHandler.admin().events(InboxQuery.all().withStatus(InboxStatus.IGNORED)))
        .extracting(InboxEvent::type)
        .containsExactly("transfer.success");
  }
}
