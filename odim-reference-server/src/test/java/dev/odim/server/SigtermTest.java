package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real SIGTERM to a real server process drains the request in flight before the JVM exits. */
@ExtendWith(PostgresExtension.class)
class SigtermTest {
  private static final Pattern SERVING = Pattern.compile("serving on (http://localhost:(\\d+))");

  @Test
  void sigtermLetsTheRequestInFlightFinishThenExits(TestDatabase database) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SlowRouteServerMain.class.getName(),
                "--port",
                "0")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("DATABASE_URL", database.jdbcUrlWithCredentials());
    builder.environment().put("ODIM_ENCRYPTION_KEYS", TestServers.ENCRYPTION_KEYS);
    builder.environment().put("ODIM_RATE_LIMIT", "off");
    Process server = builder.start();
    try {
      BufferedReader stdout =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      URI base = null;
      int port = -1;
      for (String line; base == null && (line = stdout.readLine()) != null; ) {
        Matcher matcher = SERVING.matcher(line);
        if (matcher.find()) {
          base = URI.create(matcher.group(1));
          port = Integer.parseInt(matcher.group(2));
        }
      }
      assertThat(base).as("the server printed its URL").isNotNull();

      CompletableFuture<HttpResponse<String>> inFlight =
          HttpClient.newHttpClient()
              .sendAsync(
                  HttpRequest.newBuilder(base.resolve("/test/slow")).build(),
                  BodyHandlers.ofString());
      Thread.sleep(Duration.ofMillis(500)); // the request is now inside its 2-second handler

      server.destroy(); // SIGTERM

      HttpResponse<String> response = inFlight.get(20, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("finished");
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the JVM exited").isTrue();
      int refusedPort = port;
      assertThatThrownBy(
              () -> {
                try (Socket socket = new Socket()) {
                  socket.connect(new InetSocketAddress("127.0.0.1", refusedPort), 1000);
                }
              })
          .isInstanceOf(ConnectException.class);
    } finally {
      server.destroyForcibly();
    }
  }
}
