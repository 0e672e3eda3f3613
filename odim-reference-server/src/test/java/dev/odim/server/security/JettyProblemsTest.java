package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.server.internal.JettyProblems;
import dev.odim.server.internal.Problems;
import java.util.Map;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What Jetty refuses while parsing, before any route runs, answered as problem+json by {@link
 * JettyProblems} instead of Jetty's HTML page: shown on a bare Jetty server with that handler.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyProblemsTest {
  private final ObjectMapper json = new ObjectMapper();
  private Server server;
  private int port;

  @BeforeAll
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(204);
            callback.succeeded();
            return true;
          }
        });
    server.setErrorHandler(new JettyProblems(json));
    server.start();
    port = connector.getLocalPort();
  }

  @AfterAll
  void stop() throws Exception {
    server.stop();
  }

  @Test
  void parserRefusalsAreProblemsWithACodeAndNoInternals() throws Exception {
    Map<String, Integer> refusals =
        Map.of(
            "GARBAGE\r\n\r\n",
            400,
            "GET /" + "u".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            414,
            "GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + "h".repeat(20_000) + "\r\n\r\n",
            431,
            "GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
            400,
            "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            400);
    for (var refusal : refusals.entrySet()) {
      String request = refusal.getKey();
      String shown = request.length() > 60 ? request.substring(0, 60) + "..." : request;
      String response = RawHttp.exchange("127.0.0.1", port, request);
      assertThat(RawHttp.status(response))
          .as("%s: %s", shown, response)
          .isEqualTo(refusal.getValue());
      assertThat(RawHttp.header(response, "Content-Type"))
          .as(shown)
          .startsWith(Problems.CONTENT_TYPE);
      JsonNode problem = json.readTree(RawHttp.body(response));
      assertThat(problem.path("status").asInt()).isEqualTo(refusal.getValue());
      assertThat(problem.path("code").asText()).as(shown).isNotBlank();
      assertThat(problem.path("detail").asText()).isNotBlank();
      SafeAnswers.assertNoLeak(response, shown);
      assertThat(RawHttp.body(response)).doesNotContain("<html", "jetty", "Jetty");
    }
  }

  @Test
  void aPathJettyCallsAmbiguousIsAProblemToo() throws Exception {
    String response = RawHttp.exchange("127.0.0.1", port, "GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(RawHttp.status(response)).isBetween(400, 499);
    assertThat(RawHttp.header(response, "Content-Type")).startsWith(Problems.CONTENT_TYPE);
  }
}
