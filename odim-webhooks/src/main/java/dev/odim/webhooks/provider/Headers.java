package dev.odim.webhooks.provider;

import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookDelivery;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The signature headers every scheme requires exactly once: a second value could be a forger's, and
 * which of the two the sender meant cannot be told.
 */
final class Headers {
  private Headers() {}

  /** The header's one value as sent, or null when it is missing or repeated. */
  static @Nullable String single(WebhookDelivery delivery, String header) {
    List<String> values = delivery.headerValues(header);
    return values.size() == 1 ? values.getFirst() : null;
  }

  /** The refusal for a header that {@link #single} did not find once. */
  static Verification missingOrRepeated(WebhookDelivery delivery, String header) {
    return Verification.rejected(
        delivery.headerValues(header).isEmpty()
            ? "missing " + header + " header"
            : "more than one " + header + " header");
  }
}
