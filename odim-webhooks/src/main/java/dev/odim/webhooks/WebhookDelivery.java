package dev.odim.webhooks;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One delivery of a webhook as it arrived: its headers, its raw body (signatures are computed over
 * these exact bytes, so it is never re-encoded) and the address it came from.
 *
 * @param headers header names (matched without regard to case) to their values
 * @param body the raw request body
 * @param remoteAddress the address of the peer that connected (a proxy, when there is one)
 */
public record WebhookDelivery(
    Map<String, List<String>> headers, byte[] body, String remoteAddress) {

  /** Copies the headers into a case-insensitive map; the body is taken as it is, not copied. */
  public WebhookDelivery {
    Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    // two spellings of one name (Stripe-Signature, stripe-signature) keep every value
    headers.forEach(
        (name, values) ->
            byName.merge(
                name,
                List.copyOf(values),
                (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList()));
    headers = Collections.unmodifiableMap(byName);
  }

  /** The first value of a header, or null when it is absent. */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  /** Every value of a header; empty when it is absent. */
  public List<String> headerValues(String name) {
    return headers.getOrDefault(name, List.of());
  }
}
