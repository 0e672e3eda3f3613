package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.server.internal.Problems;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ReadinessTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(OdimServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve(path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        BodyHandlers.ofString());
  }

  @Test
  void readyIs503WhileTheDatabaseIsUnreachableAnd200AgainWhenItReturns(TestDatabase database)
      throws Exception {
    URI db = URI.create(database.jdbcUrl().substring("jdbc:".length()));
    try (TcpProxy proxy = new TcpProxy(db.getHost(), db.getPort());
        OdimServer server =
            TestServers.start(
                database
                    .jdbcUrlWithCredentials()
                    .replace(":" + db.getPort() + "/", ":" + proxy.port() + "/"),
                routes -> {})) {
      assertThat(get(server, "/health/ready").statusCode()).isEqualTo(200);

      proxy.cut();

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                var response = get(server, "/health/ready");
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Content-Type"))
                    .hasValue(Problems.CONTENT_TYPE);
                assertThat(response.body()).contains("\"code\":\"service_unavailable\"");
              });
      long started = System.nanoTime();
      assertThat(get(server, "/health/ready").statusCode()).isEqualTo(503);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("a probe answers within about the readiness timeout even while the database hangs")
          .isLessThan(Duration.ofMillis(2_500));
      assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);

      proxy.restore();

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertThat(get(server, "/health/ready").statusCode()).isEqualTo(200));
    }
  }
}
