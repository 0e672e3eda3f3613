package dev.odim.testkit.paystack;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A request as {@link PaystackSimulator#handle} sees it, so that any server (the JDK's, Javalin, a
 * servlet container) can mount the simulator by copying its request into one of these.
 *
 * @param method the method, e.g. {@code POST} (any case)
 * @param path the full path as the client sent it, without the query string, e.g. {@code
 *     /sim/paystack/transaction/initialize}
 * @param query the raw query string without the {@code ?}, empty when there is none
 * @param headers header names (any case) to their values
 * @param body the body, empty when there is none
 */
public record SimulatorRequest(
    String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

  public SimulatorRequest {
    method = method.toUpperCase(Locale.ROOT);
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(query, "query");
    Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> byName.put(name, List.copyOf(values)));
    headers = java.util.Collections.unmodifiableMap(byName);
    body = body.clone();
  }

  /** The first value of a header, matched without regard to case, or null when it is absent. */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  /** The body, a copy. */
  @Override
  public byte[] body() {
    return body.clone();
  }
}
