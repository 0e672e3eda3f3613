package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class GracefulStopTest {

  @Test
  void stopLetsTheRequestInFlightFinishAndRefusesNewConnections(TestDatabase database)
      throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    OdimServer server =
        TestServers.start(
            database,
            routes ->
                routes.get(
                    "/test/slow",
                    ctx -> {
                      entered.countDown();
                      Thread.sleep(Duration.ofSeconds(1));
                      ctx.result("finished");
                    }));
    int port = server.port();
    HttpClient http = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> inFlight =
        http.sendAsync(
            HttpRequest.newBuilder(server.baseUri().resolve("/test/slow")).build(),
            BodyHandlers.ofString());
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

    // What the SIGTERM shutdown hook runs.
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);

    await()
        .atMost(Duration.ofMillis(900))
        .untilAsserted(
            () -> assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class));
    assertThat(inFlight).as("still draining").isNotDone();

    HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("finished");
    stopping.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class);
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
    }
  }
}
