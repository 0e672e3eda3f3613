package dev.odim.server.internal.web;

import dev.odim.server.internal.ProblemCode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  private final RoutesConfig routes;
  private final Authenticator authenticator;
  private final BodyReader bodies;
  private final ClientAddresses clientAddresses;
  private final Map<String, Endpoint> declared = new ConcurrentHashMap<>();
  private final List<Endpoint> inOrder = Collections.synchronizedList(new ArrayList<>());

  public Api(
      RoutesConfig routes,
      Authenticator authenticator,
      BodyReader bodies,
      ClientAddresses clientAddresses) {
    this.routes = routes;
    this.authenticator = authenticator;
    this.bodies = bodies;
    this.clientAddresses = clientAddresses;
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
    Object body =
        endpoint.bodyType() == null
            ? null
            : bodies.read(ctx, endpoint.bodyType(), endpoint.maxBodyBytes());
    action.handle(new Call(ctx, endpoint, principal, body, clientAddresses.of(ctx)));
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
              responseType);
      if (declared.putIfAbsent(endpoint.key(), endpoint) != null) {
        throw new IllegalStateException(endpoint.key() + " is declared twice");
      }
      inOrder.add(endpoint);
      routes.addHttpHandler(method, path, ctx -> serve(endpoint, action, ctx));
      return endpoint;
    }
  }
}
