package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /webhooks/paystack: verified, stored once, acknowledged; forged ones refused. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaystackWebhookRouteTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private OdimServer server;

  @BeforeAll
  void start(TestDatabase database) {
    server = TestServers.start(database, routes -> {});
  }

  @AfterAll
  void stop() {
    server.stop();
  }

  private HttpResponse<String> deliver(byte[] body, String signature) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve("/webhooks/paystack"))
            .header("Content-Type", "application/json")
            .header("X-Paystack-Signature", signature)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        BodyHandlers.ofString());
  }

  private static String sign(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(
        new SecretKeySpec(
            OdimServer.SIMULATOR_SECRET_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  private long inbox(String reference) {
    return server
        .db()
        .inTransaction(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_webhooks.inbox WHERE convert_from(body, 'UTF8')"
                            + " LIKE '%' || :reference || '%'")
                    .bind("reference", reference)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void aSignedDeliveryIsStoredOnceAndEveryDeliveryIsAnswered200() throws Exception {
    byte[] body =
        ("{\"event\":\"charge.success\",\"data\":{\"id\":7001,\"status\":\"success\","
                + "\"reference\":\"route-ref-1\",\"amount\":500000,\"currency\":\"NGN\"}}")
            .getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> first = deliver(body, sign(body));
    HttpResponse<String> again = deliver(body, sign(body));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("\"duplicate\":false");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).contains("\"duplicate\":true");
    assertThat(inbox("route-ref-1")).isEqualTo(1);
    String metrics =
        http.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/metrics")).build(),
                BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("odim_webhooks_received_total{outcome=\"duplicate\",provider=\"paystack\"} 1.0")
        .contains("odim_webhook_backlog");
  }

  @Test
  void aForgedDeliveryIsRefusedAsProblemJsonAndNotStored() throws Exception {
    byte[] body =
        "{\"event\":\"charge.success\",\"data\":{\"id\":7002,\"reference\":\"route-forged\"}}"
            .getBytes(StandardCharsets.UTF_8);

    HttpResponse<String> forged = deliver(body, "0".repeat(128));

    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(forged.body())
        .contains("\"code\":\"invalid_signature\"")
        .doesNotContain("route-forged");
    assertThat(inbox("route-forged")).isZero();
  }
}
