package dev.odim.server.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem as the server sends it. Shaped like {@code dev.odim.core.Problem} (type,
 * title, status, detail, code, instance, errors) so that switching to it is a change of type, not
 * of behaviour.
 *
 * @param type a stable URI naming the kind of problem
 * @param title the same short sentence for every occurrence of this code
 * @param status the HTTP status
 * @param detail what went wrong this time, safe to show to the caller
 * @param code the stable machine-readable code, e.g. {@code not_found}
 * @param instance the request path
 * @param errors per-field validation errors, empty when none
 */
public record HttpProblem(
    String type,
    String title,
    int status,
    String detail,
    String code,
    String instance,
    List<FieldError> errors) {

  /**
   * One invalid field of a request body.
   *
   * @param field the field's JSON name, dotted for nested fields
   * @param message what the field must be
   */
  public record FieldError(String field, String message) {}

  /** Freezes the list. */
  public HttpProblem {
    errors = List.copyOf(errors);
  }

  /** The JSON members in RFC 9457 order, plus {@code requestId} when given. */
  public Map<String, Object> toMap(@Nullable String requestId) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("type", type);
    map.put("title", title);
    map.put("status", status);
    map.put("detail", detail);
    map.put("code", code);
    map.put("instance", instance);
    if (requestId != null) {
      map.put("requestId", requestId);
    }
    if (!errors.isEmpty()) {
      map.put(
          "errors",
          errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
    }
    return map;
  }
}
