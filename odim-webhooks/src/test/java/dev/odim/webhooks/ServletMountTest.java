package dev.odim.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.servlet.OdimServlet;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.webhooks.provider.Paystack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The endpoint as a Spring, Quarkus or plain Jetty host mounts it: through odim-servlet. */
@ExtendWith(PostgresExtension.class)
class ServletMountTest {

  @Test
  void theEndpointAnswersThroughTheServletAdapterInARealJetty(TestDatabase database)
      throws Exception {
    try (Db db = Db.builder(database.jdbcUrlWithCredentials()).build()) {
      PostgresBackend backend = PostgresBackend.builder(db).schema("servlet_queue").build();
      Server server = new Server();
      try (Webhooks webhooks =
              Webhooks.builder(db, JobQueue.builder(backend).build())
                  .schema("servlet_hooks")
                  .provider(Paystack.withSecrets(SigningSecrets.of(PaystackDeliveries.SECRET)))
                  .on("paystack", "charge.success", (event, handle) -> {})
                  .build();
          HttpClient client = HttpClient.newHttpClient()) {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(
            new ServletHolder(new OdimServlet(webhooks.endpoint("paystack"))),
            "/webhooks/paystack");
        server.setHandler(context);
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/webhooks/paystack");
        byte[] body =
            PaystackDeliveries.chargeSuccess(1, "ref-servlet").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> signed =
            client.send(
                post(uri, body, PaystackDeliveries.sign(PaystackDeliveries.SECRET, body)),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> again =
            client.send(
                post(uri, body, PaystackDeliveries.sign(PaystackDeliveries.SECRET, body)),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> forged =
            client.send(post(uri, body, "deadbeef"), HttpResponse.BodyHandlers.ofString());

        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).contains("\"duplicate\":false");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"duplicate\":true");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("Content-Type"))
            .hasValue("application/problem+json");
        long stored =
            db.inTransaction(
                h ->
                    h.createQuery("SELECT count(*) FROM servlet_hooks.inbox")
                        .mapTo(Long.class)
                        .one());
        assertThat(stored).isEqualTo(1);
      } finally {
        server.stop();
        backend.close();
      }
    }
  }

  private static HttpRequest post(URI uri, byte[] body, String signature) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .header("X-Paystack-Signature", signature)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }
}
