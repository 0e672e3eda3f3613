package dev.odim.server.internal.web;

import io.javalin.http.HandlerType;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a route declares where it is registered: its access, its body, its limits and what it
 * answers. The same declaration guards the route and describes it in the OpenAPI document.
 *
 * @param method the HTTP method
 * @param path the Javalin path template, e.g. {@code /api/me/sessions/{id}}
 * @param summary one line for the API reference
 * @param tag the group in the API reference
 * @param access who may call it
 * @param bodyType the record the JSON body binds to, {@code null} for routes without a body
 * @param maxBodyBytes the largest body accepted; larger answers 413 before it is read
 * @param successStatus the status of a successful answer
 * @param responseType the record of a successful answer, {@code null} for none or not JSON
 * @param idempotency whether the route takes an {@code Idempotency-Key}
 */
public record Endpoint(
    HandlerType method,
    String path,
    String summary,
    String tag,
    Access access,
    @Nullable Class<?> bodyType,
    int maxBodyBytes,
    int successStatus,
    @Nullable Class<?> responseType,
    Idempotency idempotency) {

  /** The body limit of routes that do not set one: small, as every form of this server is. */
  public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;

  public Endpoint {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(idempotency, "idempotency");
    if (summary.isBlank()) {
      throw new IllegalArgumentException(method + " " + path + " needs a summary");
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
    }
  }

  /** {@code GET /path}, the key routes are known by. */
  public String key() {
    return key(method, path);
  }

  static String key(HandlerType method, String path) {
    return method.name() + " " + path;
  }
}
