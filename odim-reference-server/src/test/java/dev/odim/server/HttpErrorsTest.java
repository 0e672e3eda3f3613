package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.odim.core.Problem;
import dev.odim.core.ProblemException;
import dev.odim.core.db.Db;
import dev.odim.server.internal.JsonBody;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.Problems;
import dev.odim.server.internal.RequestIds;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpErrorsTest {
  /** The shape of a JSON body a real route would accept. */
  record Signup(String email, String name) {}

  private final ObjectMapper mapper =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  private final HttpClient http = HttpClient.newHttpClient();
  private OdimServer server;

  @BeforeAll
  void start(TestDatabase database) {
    JsonBody json = new JsonBody(new ObjectMapper(), JsonBody.DEFAULT_MAX_BYTES);
    server =
        TestServers.start(
            database,
            routes -> {
              routes.post(
                  "/test/signups",
                  ctx -> {
                    Signup signup = json.read(ctx, Signup.class);
                    List<Problem.FieldError> errors = new ArrayList<>();
                    if (signup.email() == null || !signup.email().contains("@")) {
                      errors.add(new Problem.FieldError("email", "must be an email address"));
                    }
                    if (signup.name() == null || signup.name().isBlank()) {
                      errors.add(new Problem.FieldError("name", "must not be blank"));
                    }
                    if (!errors.isEmpty()) {
                      throw ProblemCode.VALIDATION_FAILED.exception(
                          "Check the highlighted fields.", errors);
                    }
                    ctx.status(201).json(signup);
                  });
              routes.post(
                  "/test/bookings",
                  ctx -> {
                    // A domain module's problem: core types only, no row in the server's table.
                    throw new ProblemException(
                        Problem.of(409, "slot_taken", "The slot is taken.", "Pick another slot."));
                  });
              routes.get(
                  "/test/bookings/{id}",
                  ctx -> {
                    throw new ProblemException(
                        Problem.of(410, "booking_cancelled", "The booking is cancelled.", "Gone.")
                            .withInstance("/bookings/" + ctx.pathParam("id")));
                  });
              routes.get(
                  "/test/pool-exhausted",
                  ctx -> {
                    // A real pool timeout: a pool of one whose only connection is taken.
                    try (Db tiny =
                        Db.builder(database.jdbcUrlWithCredentials())
                            .maximumPoolSize(1)
                            .connectionTimeout(Duration.ofMillis(250))
                            .build()) {
                      tiny.withHandle(
                          held -> {
                            // Another thread: Jdbi would lend this thread's open handle again.
                            try (var other = Executors.newVirtualThreadPerTaskExecutor()) {
                              return other
                                  .submit(() -> tiny.withHandle(h -> h.execute("SELECT 1")))
                                  .get();
                            }
                          });
                    }
                  });
              routes.get(
                  "/test/boom",
                  ctx -> {
                    throw new IllegalStateException("database password is hunter2");
                  });
            });
  }

  @AfterAll
  void stop() {
    server.stop();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.baseUri().resolve(path));
  }

  private JsonNode assertProblem(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(Problems.CONTENT_TYPE);
    assertThat(response.body()).doesNotContain("Exception", "at dev.odim", "at io.javalin");
    JsonNode body = mapper.readTree(response.body());
    assertThat(body.path("status").asInt()).isEqualTo(status);
    assertThat(body.path("code").asText()).isEqualTo(code);
    assertThat(body.path("type").asText()).isEqualTo("https://odim.dev/problems/" + code);
    assertThat(body.path("title").asText()).isNotBlank();
    assertThat(body.path("detail").asText()).isNotBlank();
    assertThat(body.path("instance").asText()).isEqualTo(response.uri().getPath());
    assertThat(body.path("requestId").asText())
        .isEqualTo(response.headers().firstValue(RequestIds.HEADER).orElseThrow());
    return body;
  }

  @Test
  void validJsonIsAccepted() throws Exception {
    var response =
        send(
            request("/test/signups")
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(BodyPublishers.ofString("{\"email\":\"a@example.com\",\"name\":\"Ada\"}")));

    assertThat(response.statusCode()).isEqualTo(201);
  }

  @Test
  void malformedJsonIs400InvalidJson() throws Exception {
    var response =
        send(
            request("/test/signups")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"email\": \"secret-input")));

    JsonNode body = assertProblem(response, 400, "invalid_json");
    assertThat(body.path("detail").asText()).doesNotContain("secret-input");
  }

  @Test
  void invalidFieldsAre400WithOneErrorPerField() throws Exception {
    var response =
        send(
            request("/test/signups")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"email\":\"nope\",\"name\":\" \"}")));

    JsonNode body = assertProblem(response, 400, "validation_failed");
    assertThat(mapper.convertValue(body.path("errors"), List.class))
        .containsExactly(
            Map.of("field", "email", "message", "must be an email address"),
            Map.of("field", "name", "message", "must not be blank"));
    assertThat(body.properties())
        .extracting(Map.Entry::getKey)
        .containsExactly(
            "type", "title", "status", "detail", "code", "instance", "requestId", "errors");
  }

  @Test
  void coreProblemThrownByAnyModuleIsRenderedWithThePath() throws Exception {
    var response = send(request("/test/bookings").POST(BodyPublishers.noBody()));

    JsonNode body = assertProblem(response, 409, "slot_taken");
    assertThat(body.path("title").asText()).isEqualTo("The slot is taken.");
    assertThat(body.path("detail").asText()).isEqualTo("Pick another slot.");
    assertThat(body.has("errors")).isFalse();
  }

  @Test
  void coreProblemKeepsItsOwnInstance() throws Exception {
    var response = send(request("/test/bookings/42"));

    assertThat(response.statusCode()).isEqualTo(410);
    JsonNode body = mapper.readTree(response.body());
    assertThat(body.path("code").asText()).isEqualTo("booking_cancelled");
    assertThat(body.path("instance").asText()).isEqualTo("/bookings/42");
    assertThat(body.path("requestId").asText())
        .isEqualTo(response.headers().firstValue(RequestIds.HEADER).orElseThrow());
  }

  @Test
  void unknownRouteIs404() throws Exception {
    assertProblem(send(request("/no/such/thing")), 404, "not_found");
  }

  @Test
  void wrongMethodOnKnownPathIs405WithAllow() throws Exception {
    var response = send(request("/health/live").DELETE());

    assertProblem(response, 405, "method_not_allowed");
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    byte[] big = new byte[JsonBody.DEFAULT_MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');

    var response =
        send(
            request("/test/signups")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(big)));

    assertProblem(response, 413, "payload_too_large");
  }

  @Test
  void nonJsonBodyOnJsonRouteIs415() throws Exception {
    var response =
        send(
            request("/test/signups")
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("email=a@example.com")));

    assertProblem(response, 415, "unsupported_media_type");
  }

  @Test
  void unexpectedFailureIsAGeneric500LoggedWithTheRequestId() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(Problems.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      var response = send(request("/test/boom").header(RequestIds.HEADER, "trace-500"));

      JsonNode body = assertProblem(response, 500, "internal_error");
      assertThat(response.body()).doesNotContain("hunter2", "IllegalState");
      assertThat(body.path("detail").asText()).contains("trace-500");
      assertThat(appender.list)
          .singleElement()
          .satisfies(
              event -> {
                assertThat(event.getMDCPropertyMap()).containsEntry("requestId", "trace-500");
                assertThat(event.getThrowableProxy().getMessage()).contains("hunter2");
              });
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aPoolTimeoutIsARetryable503NotA500() throws Exception {
    var response = send(request("/test/pool-exhausted"));

    assertProblem(response, 503, "service_unavailable");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void saneIncomingRequestIdIsEchoed() throws Exception {
    var response = send(request("/health/live").header(RequestIds.HEADER, "abc-123_x.y"));

    assertThat(response.headers().firstValue(RequestIds.HEADER)).hasValue("abc-123_x.y");
  }

  @Test
  void missingOrUnsafeRequestIdIsReplacedByAFreshOne() throws Exception {
    var none = send(request("/health/live"));
    var forged = send(request("/health/live").header(RequestIds.HEADER, "a b\"<script>"));
    var tooLong = send(request("/health/live").header(RequestIds.HEADER, "x".repeat(65)));

    for (var response : List.of(none, forged, tooLong)) {
      assertThat(response.headers().firstValue(RequestIds.HEADER))
          .hasValueSatisfying(id -> assertThat(id).matches("[A-Za-z0-9._-]{1,64}"));
    }
    assertThat(none.headers().firstValue(RequestIds.HEADER))
        .isNotEqualTo(forged.headers().firstValue(RequestIds.HEADER));
  }

  @Test
  void liveIsAlways200() throws Exception {
    var response = send(request("/health/live"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(URI.create(response.uri().toString()).getPath()).isEqualTo("/health/live");
  }
}
