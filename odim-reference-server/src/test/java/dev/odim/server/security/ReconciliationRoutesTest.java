package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reconciliation over HTTP against the real server and a Paystack simulator of this test's own,
 * whose clock sits inside the server's 25-hour window: a payment whose webhook was dropped is
 * settled by an admin's on-demand run; a transaction Paystack has and we do not becomes a
 * discrepancy resolved with If-Match (a stale version refused, the resolution audited once).
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconciliationRoutesTest {
  private static final String KEY = "sk_test_reconciliation";
  private static final String RUNS = "/api/admin/reconciliation/runs";

  private PaystackSimulator simulator;
  private SecureServer platform;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start(TestDatabase database) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    // The server's clock stands at 2026-12-01T09:00Z; Paystack's records fall half an hour before.
    simulator =
        PaystackSimulator.builder()
            .secretKey(KEY)
            .webhookUrl(URI.create("http://127.0.0.1:" + port + "/webhooks/paystack"))
            .clock(Clock.fixed(Instant.parse("2026-12-01T08:30:00Z"), ZoneOffset.UTC))
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

  @Test
  void aPaymentWhoseWebhookWasDroppedIsSettledByARun() throws Exception {
    Session admin = platform.admin();
    simulator("/_control/faults", Map.of("webhookDropRate", 1.0));
    String reference;
    Session fan;
    try {
      Session creator = platform.signup("creator");
      Answer tier =
          platform.send(
              "POST", "/api/creators/me/tiers", Map.of("name", "Gold", "amount", 200_000), creator);
      assertThat(tier.status()).isEqualTo(201);
      fan = platform.signup("fan");
      Answer subscribed =
          platform.send(
              "POST",
              "/api/subscriptions",
              Map.of("tierId", tier.body().get("id").asText()),
              fan,
              Map.of("Idempotency-Key", UUID.randomUUID().toString()));
      assertThat(subscribed.status()).as(subscribed.response().body()).isEqualTo(201);
      reference = subscribed.body().get("reference").asText();
      simulator("/_control/pay", Map.of("reference", reference, "outcome", "success"));
    } finally {
      simulator("/_control/faults", Map.of("webhookDropRate", 0.0));
    }
    assertThat(paymentStatus(reference)).isEqualTo("pending");

    JsonNode run = runToCompletion(admin);

    assertThat(run.get("status").asText()).isEqualTo("succeeded");
    assertThat(run.at("/counts/status_mismatch").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(run.get("repaired").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(paymentStatus(reference)).isEqualTo("succeeded");
    assertThat(
            count(
                "SELECT count(*) FROM odim_payments.payment_transitions"
                    + " WHERE reference = ? AND to_status = 'succeeded'",
                reference))
        .as("settled once")
        .isEqualTo(1);
    Answer listed = platform.send("GET", RUNS + "?limit=1", null, admin);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body().get("runs")).hasSize(1);
    String metrics = platform.send("GET", "/metrics", null, null).response().body();
    assertThat(metrics)
        .containsPattern("odim_reconciliation_runs_total\\{.*outcome=\"succeeded\".*\\} [1-9]");
  }

  @Test
  void aTransactionUnknownHereIsADiscrepancyResolvedWithIfMatch() throws Exception {
    Session admin = platform.admin();
    String ghost = "ghost-" + UUID.randomUUID();
    simulator(
        "/_control/transactions",
        Map.of(
            "transactions",
            List.of(Map.of("reference", ghost, "amount", 5_000, "email", "ghost@odim.test"))));
    runToCompletion(admin);

    Answer found =
        platform.send(
            "GET", "/api/admin/discrepancies?status=open&reference=" + ghost, null, admin);
    assertThat(found.status()).as(found.response().body()).isEqualTo(200);
    assertThat(found.body().get("discrepancies")).hasSize(1);
    JsonNode discrepancy = found.body().get("discrepancies").get(0);
    assertThat(discrepancy.get("category").asText()).isEqualTo("missing_locally");
    assertThat(discrepancy.get("suggestedAction").asText()).isEqualTo("refund");
    String path = "/api/admin/discrepancies/" + discrepancy.get("id").asText();
    Answer one = platform.send("GET", path, null, admin);
    String etag = one.response().headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo("\"" + discrepancy.get("version").asInt() + "\"");

    Map<String, Object> body = Map.of("action", "mark_resolved", "note", "test charge, kept");
    Answer noVersion = platform.send("POST", path + "/resolve", body, admin);
    assertThat(noVersion.status()).isEqualTo(428);
    Answer stale =
        platform.send(
            "POST",
            path + "/resolve",
            body,
            admin,
            Map.of("If-Match", "\"" + (discrepancy.get("version").asInt() + 7) + "\""));
    assertThat(stale.status()).as(stale.response().body()).isEqualTo(412);
    Answer resolved =
        platform.send("POST", path + "/resolve", body, admin, Map.of("If-Match", etag));
    assertThat(resolved.status()).as(resolved.response().body()).isEqualTo(200);
    assertThat(resolved.body().get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.body().get("note").asText()).isEqualTo("test charge, kept");
    Answer again = platform.send("POST", path + "/resolve", body, admin, Map.of("If-Match", etag));
    assertThat(again.status()).as("a repeat is answered, not redone").isEqualTo(200);
    Answer otherWay =
        platform.send(
            "POST",
            path + "/resolve",
            Map.of("action", "ignore", "note", "changed my mind"),
            admin,
            Map.of("If-Match", etag));
    assertThat(otherWay.status()).isEqualTo(412);

    String target = "discrepancy:" + discrepancy.get("id").asText();
    assertThat(audited("admin.discrepancy.resolved", target)).isEqualTo(1);
    assertThat(audited("admin.discrepancy.resolve_refused", target)).isEqualTo(2);
    Answer stillOpen =
        platform.send(
            "GET", "/api/admin/discrepancies?status=open&reference=" + ghost, null, admin);
    assertThat(stillOpen.body().get("discrepancies")).isEmpty();
  }

  @Test
  void aFailedRunIsAnAlertUntilARunSucceeds() throws Exception {
    Session admin = platform.admin();
    JsonNode failed;
    // The server's clock stands still; each run of this test starts a minute after all before it.
    platform.clock.advance(Duration.ofMinutes(1));
    simulator("/_control/faults", Map.of("outage", true));
    try {
      failed = runToCompletion(admin);
    } finally {
      simulator("/_control/faults", Map.of("outage", false));
    }
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("error").asText()).isNotBlank();
    assertThat(alerts(admin))
        .as("the failed run is an alert")
        .anyMatch(
            a ->
                a.get("kind").asText().equals("reconciliation_job_failure")
                    && a.get("runId").asText().equals(failed.get("id").asText()));
    String metrics = platform.send("GET", "/metrics", null, null).response().body();
    assertThat(metrics)
        .containsPattern("odim_reconciliation_runs_total\\{.*outcome=\"failed\".*\\} [1-9]");

    // A minute later (runs are ordered by when they started) a run succeeds: the alert is over.
    platform.clock.advance(Duration.ofMinutes(1));
    assertThat(runToCompletion(admin).get("status").asText()).isEqualTo("succeeded");
    assertThat(alerts(admin))
        .noneMatch(a -> a.get("kind").asText().equals("reconciliation_job_failure"));
  }

  private List<JsonNode> alerts(Session admin) throws Exception {
    Answer answer = platform.send("GET", "/api/admin/alerts", null, admin);
    assertThat(answer.status()).isEqualTo(200);
    List<JsonNode> alerts = new java.util.ArrayList<>();
    answer.body().get("alerts").forEach(alerts::add);
    return alerts;
  }

  @Test
  void onlyAdminsReachTheRoutes() throws Exception {
    Session creator = platform.signup("creator");
    for (String path : List.of(RUNS, "/api/admin/discrepancies", "/api/admin/alerts")) {
      assertThat(platform.send("GET", path, null, creator).status()).as(path).isEqualTo(403);
    }
    Answer alerts = platform.send("GET", "/api/admin/alerts", null, platform.admin());
    assertThat(alerts.status()).isEqualTo(200);
    assertThat(alerts.body().get("alerts").isArray()).isTrue();
  }

  /** Starts a run on a worker and waits for it to finish; answers the run. */
  private JsonNode runToCompletion(Session admin) throws Exception {
    Answer started =
        platform.send(
            "POST", RUNS, Map.of(), admin, Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    assertThat(started.status()).as(started.response().body()).isEqualTo(202);
    String job = started.body().get("jobId").asText();
    JsonNode[] finished = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Answer run = platform.send("GET", RUNS + "/" + job, null, admin);
              if (run.status() != 200 || run.body().get("status").asText().equals("running")) {
                return false;
              }
              finished[0] = run.body();
              return true;
            });
    return finished[0];
  }

  private String paymentStatus(String reference) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT status FROM odim_payments.payment_intents WHERE reference = ?")
                    .bind(0, reference)
                    .mapTo(String.class)
                    .one());
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
}
