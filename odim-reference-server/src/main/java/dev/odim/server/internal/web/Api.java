package dev.odim.server.internal.web;

import dev.odim.core.idempotency.Claim;
import dev.odim.core.idempotency.IdempotencyKeys;
import dev.odim.core.idempotency.StoredResponse;
import dev.odim.server.internal.ProblemCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The only way to add a route to the server. A route states its access, summary and body where it
 * is registered; its handler runs only after the access check and the body's validation passed.
 *
 * <pre>{@code
 * api.post("/api/auth/signup")
 *     .summary("Create an account")
 *     .tag("auth")
 *     .access(Access.PUBLIC)
 *     .body(SignupRequest.class)
 *     .responds(201, UserView.class)
 *     .handle(call -> accounts.signup(call.body(SignupRequest.class)));
 * }</pre>
 *
 * <p>Deny by default: {@link #checkDeclared} runs for every route Javalin registers, and a route
 * added to Javalin directly, without a declaration, stops start-up.
 */
public final class Api {
  /** The request header of the IETF httpapi Idempotency-Key draft. */
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  /** The headers of an answer that a replay repeats; never cookies, which carry secrets. */
  private static final List<String> REPLAYED_HEADERS = List.of("ETag", "Location");

  /** Set on an answer replayed from an earlier request with the same key. */
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  /** Methods that change nothing, so have nothing to replay. */
  private static final Set<HandlerType> READS =
      Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

  private final RoutesConfig routes;
  private final Authenticator authenticator;
  private final BodyReader bodies;
  private final ClientAddresses clientAddresses;
  private final IdempotencyKeys idempotencyKeys;
  private final Map<String, Endpoint> declared = new ConcurrentHashMap<>();
  private final List<Endpoint> inOrder = Collections.synchronizedList(new ArrayList<>());

  public Api(
      RoutesConfig routes,
      Authenticator authenticator,
      BodyReader bodies,
      ClientAddresses clientAddresses,
      IdempotencyKeys idempotencyKeys) {
    this.routes = routes;
    this.authenticator = authenticator;
    this.bodies = bodies;
    this.clientAddresses = clientAddresses;
    this.idempotencyKeys = idempotencyKeys;
  }

  public Route get(String path) {
    return new Route(HandlerType.GET, path);
  }

  public Route post(String path) {
    return new Route(HandlerType.POST, path);
  }

  public Route put(String path) {
    return new Route(HandlerType.PUT, path);
  }

  public Route patch(String path) {
    return new Route(HandlerType.PATCH, path);
  }

  public Route delete(String path) {
    return new Route(HandlerType.DELETE, path);
  }

  /** A HEAD route of its own (tus asks an upload's offset this way); GET routes answer HEAD too. */
  public Route head(String path) {
    return new Route(HandlerType.HEAD, path);
  }

  /** An OPTIONS route (tus announces its version and extensions this way). */
  public Route options(String path) {
    return new Route(HandlerType.OPTIONS, path);
  }

  /** Every declared route, in the order of registration. */
  public List<Endpoint> endpoints() {
    synchronized (inOrder) {
      return List.copyOf(inOrder);
    }
  }

  /**
   * Called for every route Javalin registers.
   *
   * @throws IllegalStateException for a route that was not declared through this class
   */
  public void checkDeclared(HandlerType method, String path) {
    if (method.isHttpMethod() && !declared.containsKey(Endpoint.key(method, path))) {
      throw new IllegalStateException(
          method
              + " "
              + path
              + " was registered without declaring its access; register it through Api");
    }
  }

  /** Runs the checks every declared route shares, then the handler. */
  private void serve(Endpoint endpoint, Action action, Context ctx) throws Exception {
    Principal principal = null;
    switch (authenticator.authenticate(ctx)) {
      case Authenticator.Authentication.Valid valid -> principal = valid.principal();
      case Authenticator.Authentication.Expired expired -> {
        if (endpoint.access().requiresSession()) {
          throw ProblemCode.SESSION_EXPIRED.exception(
              "Your session has expired. Sign in again to continue; your drafts are kept.");
        }
      }
      case Authenticator.Authentication.None none -> {}
    }
    if (principal == null && endpoint.access().requiresSession()) {
      throw ProblemCode.UNAUTHENTICATED.exception("Sign in to use " + endpoint.path() + ".");
    }
    if (!endpoint.access().allows(principal, ctx)) {
      throw ProblemCode.FORBIDDEN.exception(
          "Only " + endpoint.access().describe() + " may use " + endpoint.path() + ".");
    }
    byte[] raw =
        endpoint.bodyType() == null ? new byte[0] : bodies.raw(ctx, endpoint.maxBodyBytes());
    Object body = endpoint.bodyType() == null ? null : bodies.bind(raw, endpoint.bodyType());
    String clientIp = clientAddresses.of(ctx);
    Call call = new Call(ctx, endpoint, principal, body, clientIp);
    String key = idempotencyKey(endpoint, ctx);
    if (key == null) {
      action.handle(call);
      return;
    }
    // Scoped by user, so that nobody is ever replayed another's answer; without a session, by
    // address.
    String scope = principal == null ? "ip:" + clientIp : "user:" + principal.userId();
    byte[] fingerprint = IdempotencyKeys.fingerprint(endpoint.method().name(), ctx.path(), raw);
    switch (idempotencyKeys.claim(scope, key, fingerprint)) {
      case Claim.Replay replay -> {
        StoredResponse stored = replay.response();
        ctx.status(stored.status()).header(REPLAYED_HEADER, "true");
        stored.headers().forEach(ctx::header);
        if (!stored.contentType().isEmpty()) {
          ctx.contentType(stored.contentType());
        }
        ctx.result(stored.body());
      }
      case Claim.InProgress inProgress ->
          throw ProblemCode.IDEMPOTENCY_KEY_IN_USE.exception(
              "A request with this Idempotency-Key is still running; retry when it has finished.");
      case Claim.KeyReused reused ->
          throw ProblemCode.IDEMPOTENCY_KEY_REUSED.exception(
              "This Idempotency-Key was used for a different request; use a new key.");
      case Claim.Acquired acquired -> runOnce(call, action, scope, key);
    }
  }

  /**
   * Runs the request that claimed {@code key}. A success is stored for its retries; anything else
   * (a refusal, a failure) releases the key, so that a corrected retry runs again: only answers
   * that changed something are worth replaying.
   */
  private void runOnce(Call call, Action action, String scope, String key) throws Exception {
    Context ctx = call.ctx();
    try {
      action.handle(call);
    } catch (Exception | Error e) {
      idempotencyKeys.release(scope, key);
      throw e;
    }
    if (ctx.statusCode() >= 200 && ctx.statusCode() < 300) {
      String result = ctx.result();
      String type = ctx.res().getContentType();
      Map<String, String> replayed = new LinkedHashMap<>();
      for (String name : REPLAYED_HEADERS) {
        String value = ctx.res().getHeader(name);
        if (value != null) {
          replayed.put(name, value);
        }
      }
      idempotencyKeys.complete(
          scope,
          key,
          new StoredResponse(
              ctx.statusCode(),
              type == null ? "" : type,
              replayed,
              result == null ? new byte[0] : result.getBytes(StandardCharsets.UTF_8)));
    } else {
      idempotencyKeys.release(scope, key);
    }
  }

  /** The request's idempotency key, when the route takes one; validated. */
  private static @Nullable String idempotencyKey(Endpoint endpoint, Context ctx) {
    String key = ctx.header(IDEMPOTENCY_HEADER);
    if (endpoint.idempotency() == Idempotency.NONE) {
      return null;
    }
    if (key == null) {
      if (endpoint.idempotency() == Idempotency.REQUIRED) {
        throw ProblemCode.IDEMPOTENCY_KEY_MISSING.exception(
            endpoint.path() + " needs an Idempotency-Key header (a new UUID per operation).");
      }
      return null;
    }
    if (!IdempotencyKeys.isValidKey(key)) {
      throw ProblemCode.IDEMPOTENCY_KEY_INVALID.exception(
          "An Idempotency-Key is 1 to 255 printable ASCII characters without spaces.");
    }
    return key;
  }

  /** What a route does once its checks passed. */
  @FunctionalInterface
  public interface Action {
    void handle(Call call) throws Exception;
  }

  /** The declaration of one route; {@link #handle} registers it. */
  public final class Route {
    private final HandlerType method;
    private final String path;
    private String summary = "";
    private String tag = "platform";
    private @Nullable Access access;
    private @Nullable Class<?> bodyType;
    private int maxBodyBytes = Endpoint.DEFAULT_MAX_BODY_BYTES;
    private int successStatus = 200;
    private @Nullable Class<?> responseType;
    private @Nullable Idempotency idempotency;

    private Route(HandlerType method, String path) {
      this.method = method;
      this.path = Objects.requireNonNull(path, "path");
    }

    public Route summary(String summary) {
      this.summary = Objects.requireNonNull(summary, "summary");
      return this;
    }

    public Route tag(String tag) {
      this.tag = Objects.requireNonNull(tag, "tag");
      return this;
    }

    public Route access(Access access) {
      this.access = Objects.requireNonNull(access, "access");
      return this;
    }

    /** The record the JSON body binds to and is validated as. */
    public Route body(Class<?> type) {
      this.bodyType = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * The largest body this route reads; the default is {@link Endpoint#DEFAULT_MAX_BODY_BYTES}.
     */
    public Route maxBodyBytes(int bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Whether the route takes an {@code Idempotency-Key}. The default is {@link
     * Idempotency#OPTIONAL} for writes and {@link Idempotency#NONE} for reads (GET, HEAD, OPTIONS).
     */
    public Route idempotency(Idempotency idempotency) {
      this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
      return this;
    }

    public Route responds(int status, @Nullable Class<?> type) {
      this.successStatus = status;
      this.responseType = type;
      return this;
    }

    /**
     * Declares the route and registers it with Javalin.
     *
     * @throws IllegalStateException when no access was declared or the route exists already
     */
    public Endpoint handle(Action action) {
      Objects.requireNonNull(action, "action");
      if (access == null) {
        throw new IllegalStateException(
            method + " " + path + " declares no access; say who may call it");
      }
      Endpoint endpoint =
          new Endpoint(
              method,
              path,
              summary,
              tag,
              access,
              bodyType,
              maxBodyBytes,
              successStatus,
              responseType,
              idempotency != null
                  ? idempotency
                  : READS.contains(method) ? Idempotency.NONE : Idempotency.OPTIONAL);
      if (declared.putIfAbsent(endpoint.key(), endpoint) != null) {
        throw new IllegalStateException(endpoint.key() + " is declared twice");
      }
      inOrder.add(endpoint);
      routes.addHttpHandler(method, path, ctx -> serve(endpoint, action, ctx));
      return endpoint;
    }
  }
}
