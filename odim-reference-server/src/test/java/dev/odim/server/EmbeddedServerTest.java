package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without DATABASE_URL the server runs on its own embedded PostgreSQL under ODIM_DATA. */
class EmbeddedServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void secondStartReusesTheEmbeddedDatabaseOfTheFirst(@TempDir Path data) throws Exception {
    ServerConfig config =
        ServerConfig.parse(List.of("--port", "0"), Map.of("ODIM_DATA", data.toString()));

    try (OdimServer first = OdimServer.start(config, Clock.systemUTC(), routes -> {})) {
      assertThat(first.embeddedDatabase()).isTrue();
      assertThat(status(first, "/health/ready")).isEqualTo(200);
    }
    assertThat(data.resolve("postgres/PG_VERSION")).exists();
    assertThat(data.resolve("postgres/postmaster.pid")).as("stopped cleanly").doesNotExist();

    try (OdimServer second = OdimServer.start(config, Clock.systemUTC(), routes -> {})) {
      assertThat(status(second, "/health/ready")).isEqualTo(200);
      // Both runs registered themselves in the same database: the data survived the restart.
      assertThat(countInstances(second)).isEqualTo(2);
    }
  }

  private int status(OdimServer server, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(server.baseUri().resolve(path)).build(),
            BodyHandlers.discarding())
        .statusCode();
  }

  private static long countInstances(OdimServer server) {
    return server
        .db()
        .withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM odim_server.server_instances")
                    .mapTo(Long.class)
                    .one());
  }
}
