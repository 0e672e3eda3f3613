package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.idempotency.IdempotencyKeys;
import dev.odim.server.internal.Problems;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.BodyReader;
import dev.odim.server.internal.web.ClientAddresses;
import dev.odim.server.internal.web.Endpoint;
import dev.odim.server.internal.web.Role;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import io.javalin.Javalin;
import jakarta.validation.Validation;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deny by default, proven over every registered route: without a session each non-public route
 * answers 401, with the wrong role or as someone else than the owner 403, and nothing changes.
 * Broken object-level authorization is the first risk of the OWASP API Security Top 10.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteAccessTest {
  /** The routes anyone may call. Adding one here is a decision, made in review. */
  private static final Set<String> PUBLIC =
      Set.of(
          "GET /health/live",
          "GET /health/ready",
          "GET /metrics",
          "POST /webhooks/paystack",
          "POST /api/auth/signup",
          "POST /api/auth/login",
          "POST /api/auth/logout",
          "GET /api/openapi.json",
          "GET /api/docs",
          "GET /api/creators/{handle}",
          "GET /sim/paystack/<path>",
          "POST /sim/paystack/<path>",
          "PUT /sim/paystack/<path>",
          // tus: a browser's CORS preflight carries no cookie; the answer names versions only.
          "OPTIONS /uploads/",
          "OPTIONS /uploads/{id}");

  private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  @Test
  void everyNonPublicRouteRefusesStrangersWrongRolesAndOtherOwners() throws Exception {
    Map<Role, Session> byRole =
        Map.of(
            Role.FAN, platform.signup("fan"),
            Role.CREATOR, platform.signup("creator"),
            Role.ADMIN, platform.admin());
    Session owner = platform.signup("fan");
    Session stranger = platform.signup("fan");
    // Resources that belong to `owner`, by the path template that names them. An owner route
    // without an entry here fails the test: whoever adds one must show it is guarded.
    JsonNode subscribed = subscriptionOf(owner);
    String payment = subscribed.get("reference").asText();
    String subscription = subscribed.get("subscriptionId").asText();
    Map<String, Function<Session, String>> owned =
        Map.ofEntries(
            Map.entry("/api/sessions/{id}", session -> currentSessionId(session)),
            Map.entry("/api/payments/{reference}", session -> payment),
            Map.entry("/api/payments/{reference}/verify", session -> payment),
            Map.entry("/api/subscriptions/{id}", session -> subscription),
            // Admin routes: the role check comes first, so any payment or dispute will do.
            Map.entry("/api/admin/payments/{reference}", session -> payment),
            Map.entry("/api/admin/payments/{reference}/refunds", session -> payment),
            Map.entry("/api/admin/disputes/{id}/resolve", session -> "1"),
            Map.entry(
                "/api/admin/reconciliation/runs/{id}",
                session -> java.util.UUID.randomUUID().toString()),
            Map.entry(
                "/api/admin/discrepancies/{id}", session -> java.util.UUID.randomUUID().toString()),
            Map.entry(
                "/api/admin/discrepancies/{id}/resolve",
                session -> java.util.UUID.randomUUID().toString()),
            // tus routes are for creators; the role check comes first. Another creator's upload
            // answers 404 (UploadRoutesTest), as one that does not exist.
            Map.entry("/uploads/{id}", session -> java.util.UUID.randomUUID().toString()));

    List<String> checked = new ArrayList<>();
    Set<String> publicRoutes = new TreeSet<>();
    for (Endpoint endpoint : platform.server.endpoints()) {
      String route = endpoint.key();
      if (endpoint.access() instanceof Access.Public) {
        publicRoutes.add(route);
        continue;
      }
      String path = fill(endpoint.path(), owned, owner);
      String method = endpoint.method().name();
      Object body = endpoint.bodyType() == null ? null : "{}";

      Answer anonymous = platform.send(method, path, body, null);
      assertThat(anonymous.status()).as("%s without a session", route).isEqualTo(401);
      assertCode(anonymous, route, "unauthenticated");
      checked.add(route + " anonymous");

      switch (endpoint.access()) {
        case Access.Roles roles -> {
          for (Role role : EnumSet.complementOf(EnumSet.copyOf(roles.roles()))) {
            Answer wrong = platform.send(method, path, body, byRole.get(role));
            assertThat(wrong.status()).as("%s as %s", route, role).isEqualTo(403);
            assertCode(wrong, route, "forbidden");
            checked.add(route + " as " + role);
          }
        }
        case Access.Owner ignored -> {
          Answer notOwner = platform.send(method, path, body, stranger);
          assertThat(notOwner.status()).as("%s as another user", route).isEqualTo(403);
          assertCode(notOwner, route, "forbidden");
          checked.add(route + " as another user");
        }
        default -> {}
      }
    }

    assertThat(publicRoutes).isSubsetOf(PUBLIC);
    assertThat(checked)
        .anyMatch(c -> c.contains("as FAN"))
        .anyMatch(c -> c.contains("another user"));
    // The owner's session survived a stranger's attempt to end it.
    assertThat(platform.send("GET", "/api/me", null, owner).status()).isEqualTo(200);
  }

  /**
   * The problem's code; an answer to HEAD has no body (RFC 9110), so there only its type is seen.
   */
  private static void assertCode(Answer answer, String route, String code) {
    assertThat(answer.header("Content-Type")).as(route).isEqualTo(Problems.CONTENT_TYPE);
    if (!answer.response().request().method().equals("HEAD")) {
      assertThat(answer.code()).as(route).isEqualTo(code);
    }
  }

  @Test
  void aRouteRegisteredWithoutDeclaringItsAccessStopsStartUp() {
    ObjectMapper mapper = new ObjectMapper();
    BodyReader bodies =
        new BodyReader(mapper, Validation.buildDefaultValidatorFactory().getValidator());

    assertThatThrownBy(
            () ->
                Javalin.create(
                    cfg -> {
                      Api api =
                          new Api(
                              cfg.routes,
                              ctx ->
                                  new dev.odim.server.internal.web.Authenticator.Authentication
                                      .None(),
                              bodies,
                              new ClientAddresses(List.of()),
                              IdempotencyKeys.builder(platform.server.db()).build());
                      cfg.events.handlerAdded(
                          added -> api.checkDeclared(added.getHttpMethod(), added.getPath()));
                      api.get("/declared")
                          .summary("Declared")
                          .access(Access.PUBLIC)
                          .handle(call -> {});
                      cfg.routes.get("/undeclared", ctx -> ctx.result("open to all"));
                    }))
        .hasStackTraceContaining("GET /undeclared was registered without declaring its access");
  }

  @Test
  void aDeclarationWithoutAccessIsRefused() {
    assertThatThrownBy(
            () ->
                Javalin.create(
                    cfg ->
                        new Api(
                                cfg.routes,
                                ctx ->
                                    new dev.odim.server.internal.web.Authenticator.Authentication
                                        .None(),
                                new BodyReader(
                                    new ObjectMapper(),
                                    Validation.buildDefaultValidatorFactory().getValidator()),
                                new ClientAddresses(List.of()),
                                IdempotencyKeys.builder(platform.server.db()).build())
                            .get("/forgotten")
                            .summary("Forgot to say who may call it")
                            .handle(call -> {})))
        .hasStackTraceContaining("GET /forgotten declares no access");
  }

  /**
   * A subscription {@code fan} started ({@code subscriptionId}, and its payment's {@code
   * reference}), for the owner checks of the subscription and payment routes.
   */
  private JsonNode subscriptionOf(Session fan) throws Exception {
    Session creator = platform.signup("creator");
    String tier =
        platform
            .send(
                "POST",
                "/api/creators/me/tiers",
                Map.of("name", "Gold", "amount", 100_000),
                creator)
            .body()
            .get("id")
            .asText();
    return platform
        .send(
            "POST",
            "/api/subscriptions",
            Map.of("tierId", tier),
            fan,
            Map.of("Idempotency-Key", java.util.UUID.randomUUID().toString()))
        .body();
  }

  private String currentSessionId(Session session) {
    try {
      for (var s : platform.send("GET", "/api/me/sessions", null, session).body().get("sessions")) {
        if (s.get("current").asBoolean()) {
          return s.get("id").asText();
        }
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no current session");
  }

  private static String fill(
      String template, Map<String, Function<Session, String>> owned, Session owner) {
    Matcher m = PATH_PARAMETER.matcher(template);
    if (!m.find()) {
      return template;
    }
    Function<Session, String> resource = owned.get(template);
    if (resource == null) {
      throw new AssertionError(
          template + " names a resource; add how to create one owned by a user to this test");
    }
    return m.replaceFirst(Matcher.quoteReplacement(resource.apply(owner)));
  }
}
