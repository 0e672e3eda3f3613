package dev.odim.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.server.OdimServer;
import dev.odim.server.ServerConfig;
import dev.odim.server.internal.web.Api;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The real server on the test database, with a settable clock, an admin from settings and helpers
 * that speak HTTP to it the way a browser would: cookies by hand (Java's cookie manager drops the
 * {@code Secure} cookie on http://localhost, which browsers keep).
 */
final class SecureServer implements AutoCloseable {
  static final String ADMIN_EMAIL = "root@odim.test";
  static final String ADMIN_PASSWORD = "correct horse battery staple admin";
  static final String KEYS = "test:" + "B".repeat(43) + "=";

  /** Bodies larger than this are sent with {@code Expect: 100-continue}. */
  private static final int EXPECT_CONTINUE_ABOVE = 8 * 1024;

  final SettableClock clock = SettableClock.at(Instant.parse("2026-12-01T09:00:00Z"));
  final OdimServer server;
  final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger users = new AtomicInteger();

  SecureServer(TestDatabase database) {
    this(database, Map.of(), api -> {});
  }

  SecureServer(TestDatabase database, Map<String, String> settings, Consumer<Api> extraRoutes) {
    this(database, settings, extraRoutes, 0);
  }

  /**
   * On {@code port} (0 for any free one): a test that runs its own Paystack simulator needs the
   * port before the server starts, to aim the simulator's webhooks at it.
   */
  SecureServer(
      TestDatabase database, Map<String, String> settings, Consumer<Api> extraRoutes, int port) {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", database.jdbcUrlWithCredentials());
    env.put("ODIM_ENCRYPTION_KEYS", KEYS);
    env.put("ODIM_RATE_LIMIT", "off");
    env.put("ODIM_ADMIN_EMAIL", ADMIN_EMAIL);
    env.put("ODIM_ADMIN_PASSWORD", ADMIN_PASSWORD);
    // Uploads' bytes go under ODIM_DATA: one directory per server, none in the working directory.
    try {
      env.put("ODIM_DATA", java.nio.file.Files.createTempDirectory("odim-secure-test").toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    env.putAll(settings);
    server =
        OdimServer.start(
            ServerConfig.parse(List.of("--port", String.valueOf(port)), env), clock, extraRoutes);
  }

  /** A signed-in user: the cookie to send and who it is. */
  record Session(String cookie, UUID userId, String email, String password, String role) {}

  /** An answer, with its body parsed when it is JSON. */
  record Answer(int status, HttpResponse<String> response, @Nullable JsonNode body) {
    String code() {
      return body == null || !body.has("code") ? "" : body.get("code").asText();
    }

    @Nullable String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    List<String> headers(String name) {
      return response.headers().allValues(name);
    }
  }

  Answer send(String method, String path, @Nullable Object body, @Nullable Session session)
      throws IOException, InterruptedException {
    return send(method, path, body, session, Map.of());
  }

  Answer send(
      String method,
      String path,
      @Nullable Object body,
      @Nullable Session session,
      Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (body == null) {
      request.method(method, BodyPublishers.noBody());
    } else {
      String text = body instanceof String s ? s : json.writeValueAsString(body);
      request
          .method(method, BodyPublishers.ofString(text))
          .header("Content-Type", "application/json");
    }
    if (session != null) {
      request.header("Cookie", session.cookie());
    }
    headers.forEach(request::header);
    return answer(http.send(request.build(), BodyHandlers.ofString()));
  }

  /**
   * {@link #send} on a connection of its own. Hostile requests go this way: Jetty closes a
   * connection after some refusals, and a pooled client could send the next request down it; an
   * attacker's request is judged on its own connection, as it would arrive.
   */
  Answer sendAlone(String method, String path, @Nullable Object body, @Nullable Session session)
      throws IOException, InterruptedException {
    String text =
        body == null ? null : body instanceof String s ? s : json.writeValueAsString(body);
    return sendBytes(
        method,
        path,
        text == null ? null : text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        session,
        text == null ? Map.of() : Map.of("Content-Type", "application/json"));
  }

  /**
   * Sends {@code body} as it is, on a connection of its own (see {@link #sendAlone}), with only the
   * headers given: no Content-Type unless {@code headers} names one, so that wrong and missing
   * types can be tried.
   */
  Answer sendBytes(
      String method,
      String path,
      byte @Nullable [] body,
      @Nullable Session session,
      Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .method(
                method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body))
            // A large body asks first (Expect: 100-continue), as careful clients do: a server that
            // refuses it (413) answers before the body is sent, instead of closing a connection the
            // client is still writing to, which would hide its answer.
            .expectContinue(body != null && body.length > EXPECT_CONTINUE_ABOVE);
    if (session != null) {
      request.header("Cookie", session.cookie());
    }
    headers.forEach(request::header);
    try (HttpClient alone = HttpClient.newHttpClient()) {
      return answer(alone.send(request.build(), BodyHandlers.ofString()));
    }
  }

  Answer answer(HttpResponse<String> response) throws IOException {
    String type = response.headers().firstValue("Content-Type").orElse("");
    JsonNode parsed =
        type.contains("json") && !response.body().isEmpty() ? json.readTree(response.body()) : null;
    return new Answer(response.statusCode(), response, parsed);
  }

  URI uri(String path) {
    return server.baseUri().resolve(path);
  }

  /** Signs up a new user of {@code role} with a strong password. */
  Session signup(String role) throws IOException, InterruptedException {
    String email = role + "-" + users.incrementAndGet() + "-" + UUID.randomUUID() + "@odim.test";
    String password = "plausible walrus " + UUID.randomUUID();
    Answer answer =
        send(
            "POST",
            "/api/auth/signup",
            Map.of("email", email, "password", password, "name", "Test " + role, "role", role),
            null);
    if (answer.status() != 201) {
      throw new AssertionError(
          "signup failed: " + answer.status() + " " + answer.response().body());
    }
    return new Session(
        cookie(answer),
        UUID.fromString(answer.body().get("user").get("id").asText()),
        email,
        password,
        role);
  }

  /** Signs in with email and password; fails the test unless it works. */
  Session login(String email, String password) throws IOException, InterruptedException {
    Answer answer =
        send("POST", "/api/auth/login", Map.of("email", email, "password", password), null);
    if (answer.status() != 200) {
      throw new AssertionError("login failed: " + answer.status() + " " + answer.response().body());
    }
    return new Session(
        cookie(answer),
        UUID.fromString(answer.body().get("user").get("id").asText()),
        email,
        password,
        answer.body().get("user").get("role").asText());
  }

  /**
   * Waits for the reconciliation the hourly schedule starts with the server (its first slot) to be
   * over, so that a test counting rows per table does not catch its job or run half-way.
   */
  void awaitStartupReconciliation() {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () ->
                server
                    .db()
                    .withHandle(
                        h ->
                            h.createQuery(
                                    "SELECT EXISTS (SELECT FROM odim_payments.reconciliation_runs"
                                        + " WHERE status = 'failed') OR (EXISTS (SELECT FROM"
                                        + " odim_payments.reconciliation_runs WHERE status ="
                                        + " 'succeeded') AND NOT EXISTS (SELECT FROM"
                                        + " odim_queue.jobs WHERE queue = 'reconciliation'))")
                                .mapTo(Boolean.class)
                                .one()));
  }

  Session admin() throws IOException, InterruptedException {
    return login(ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  /** The {@code name=value} part of the answer's session cookie. */
  static String cookie(Answer answer) {
    String setCookie = answer.header("Set-Cookie");
    if (setCookie == null) {
      throw new AssertionError("no Set-Cookie in " + answer.response().headers().map());
    }
    return setCookie.split(";", 2)[0];
  }

  @Override
  public void close() {
    server.close();
  }
}
