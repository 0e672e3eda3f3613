package dev.odim.core;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A problem detail (RFC 9457): the value every domain failure becomes at the HTTP edge, as {@code
 * application/problem+json}. Core has no JSON library; {@link #toMap()} gives a map that any JSON
 * library serializes to the documented shape.
 *
 * <p>{@code code} is the stable, machine-readable name of the failure ({@code slot_taken}); the
 * default {@code type} is {@link #TYPE_BASE} followed by the code, so the same failure always has
 * the same type.
 *
 * @param type a URI naming the problem type
 * @param title a short human-readable summary that is the same for every occurrence of the type
 * @param status the HTTP status, 400 to 599
 * @param detail an explanation of this occurrence, or null
 * @param code a stable snake_case code: a lowercase letter, then lowercase letters, digits or
 *     {@code _}
 * @param instance a URI naming this occurrence, or null
 * @param errors field-level validation errors; empty when there are none
 */
public record Problem(
    String type,
    String title,
    int status,
    @Nullable String detail,
    String code,
    @Nullable String instance,
    List<FieldError> errors)
    implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** The prefix of Odim's problem type URIs; the code follows it. */
  public static final String TYPE_BASE = "https://odim.dev/problems/";

  private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]*");

  /** Validates every component and copies {@code errors} into an immutable list. */
  public Problem {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(code, "code");
    if (type.isBlank()) {
      throw new IllegalArgumentException("problem type must not be blank");
    }
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("problem status must be 400 to 599, was " + status);
    }
    if (!CODE.matcher(code).matches()) {
      throw new IllegalArgumentException(
          "problem code must be snake_case ([a-z][a-z0-9_]*), was \"" + code + "\"");
    }
    errors = List.copyOf(errors);
  }

  /** A problem of type {@code TYPE_BASE + code} with no instance and no field errors. */
  public static Problem of(int status, String code, String title, @Nullable String detail) {
    return new Problem(TYPE_BASE + code, title, status, detail, code, null, List.of());
  }

  /** This problem with {@code errors} added after the existing ones. */
  public Problem withErrors(List<FieldError> errors) {
    var all = new ArrayList<FieldError>(this.errors);
    all.addAll(errors);
    return new Problem(type, title, status, detail, code, instance, all);
  }

  /** This problem with {@code errors} added after the existing ones. */
  public Problem withErrors(FieldError... errors) {
    return withErrors(List.of(errors));
  }

  /** This problem with one more field error. */
  public Problem withError(String field, String message) {
    return withErrors(new FieldError(field, message));
  }

  /** This problem for one occurrence, e.g. the request path. */
  public Problem withInstance(@Nullable String instance) {
    return new Problem(type, title, status, detail, code, instance, errors);
  }

  /** This problem with another type URI, e.g. {@code about:blank}. */
  public Problem withType(String type) {
    return new Problem(type, title, status, detail, code, instance, errors);
  }

  /** This problem with another detail. */
  public Problem withDetail(@Nullable String detail) {
    return new Problem(type, title, status, detail, code, instance, errors);
  }

  /**
   * The JSON members in the order {@code type, title, status, detail, code, instance, errors},
   * leaving out {@code detail} and {@code instance} when null and {@code errors} when empty. Each
   * error is a map with {@code field} and {@code message}. The returned map is a new {@link
   * LinkedHashMap} the caller may change.
   */
  public Map<String, Object> toMap() {
    var map = new LinkedHashMap<String, Object>();
    map.put("type", type);
    map.put("title", title);
    map.put("status", status);
    if (detail != null) {
      map.put("detail", detail);
    }
    map.put("code", code);
    if (instance != null) {
      map.put("instance", instance);
    }
    if (!errors.isEmpty()) {
      var list = new ArrayList<Map<String, String>>(errors.size());
      for (var error : errors) {
        var entry = new LinkedHashMap<String, String>();
        entry.put("field", error.field());
        entry.put("message", error.message());
        list.add(entry);
      }
      map.put("errors", list);
    }
    return map;
  }

  /**
   * One invalid input field.
   *
   * @param field the field's name as the client sent it, e.g. {@code email} or {@code
   *     tiers[0].price}
   * @param message what is wrong with it, for a person to read
   */
  public record FieldError(String field, String message) implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    public FieldError {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(message, "message");
    }
  }
}
