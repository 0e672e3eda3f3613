package dev.odim.server.internal.web;

import dev.odim.server.internal.ProblemCode;
import io.javalin.http.Context;
import org.jspecify.annotations.Nullable;

/**
 * One request to a declared route, after its access was checked and its body bound and validated.
 */
public final class Call {
  private final Context ctx;
  private final Endpoint endpoint;
  private final @Nullable Principal principal;
  private final @Nullable Object body;
  private final String clientIp;

  Call(
      Context ctx,
      Endpoint endpoint,
      @Nullable Principal principal,
      @Nullable Object body,
      String clientIp) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.principal = principal;
    this.body = body;
    this.clientIp = clientIp;
  }

  /** The Javalin context, for path parameters, headers and the answer. */
  public Context ctx() {
    return ctx;
  }

  /** The signed-in user; only routes that require a session may ask. */
  public Principal principal() {
    if (principal == null) {
      throw ProblemCode.UNAUTHENTICATED.exception("Sign in to use " + endpoint.path() + ".");
    }
    return principal;
  }

  /** The signed-in user, or {@code null} on a public route called without a session. */
  public @Nullable Principal principalOrNull() {
    return principal;
  }

  /** The validated body, as the type the route declared. */
  public <T> T body(Class<T> type) {
    if (body == null || endpoint.bodyType() != type) {
      throw new IllegalStateException(endpoint.key() + " declares no body of type " + type);
    }
    return type.cast(body);
  }

  /** The client's address: the socket's, or the forwarded one when the peer is a trusted proxy. */
  public String clientIp() {
    return clientIp;
  }
}
