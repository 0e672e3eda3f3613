package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private OdimServer server;

  @BeforeAll
  void start(TestDatabase database) {
    server =
        TestServers.start(
            database,
            routes -> routes.get("/test/items/{id}", ctx -> ctx.result(ctx.pathParam("id"))));
  }

  @AfterAll
  void stop() {
    server.stop();
  }

  private String get(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(server.baseUri().resolve(path)).build(), BodyHandlers.ofString())
        .body();
  }

  @Test
  void requestsAreCountedByMethodRouteTemplateAndStatus() throws Exception {
    get("/test/items/42");
    get("/test/items/43");
    get("/no/such/path/123");

    String metrics = get("/metrics");

    assertThat(metrics)
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/test/items/{id}\",status=\"200\"} 2")
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"UNMATCHED\",status=\"404\"}")
        .doesNotContain("/test/items/42", "/no/such/path");
  }

  @Test
  void poolAndJvmMetricsAreExposed() throws Exception {
    String metrics = get("/metrics");

    assertThat(metrics)
        .contains("odim_db_pool_active{pool=\"odim\"}")
        .contains("odim_db_pool_max{pool=\"odim\"} 10")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_gc_")
        .contains("jvm_threads_live_threads")
        .contains("system_cpu_count")
        .contains("process_uptime_seconds");
  }
}
