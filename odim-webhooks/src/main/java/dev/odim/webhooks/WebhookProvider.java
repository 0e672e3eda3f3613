package dev.odim.webhooks;

import java.time.Instant;

/**
 * One webhook sender: how its signatures are checked and how its bodies name an event. The built-in
 * providers are in {@code dev.odim.webhooks.provider} (Paystack, Stripe, Standard Webhooks); a host
 * may add its own.
 *
 * <p>Implementations are immutable and thread-safe, and never throw for bad input: a bad signature
 * is a {@link Verification.Rejected}, a bad body an {@link ParsedEvent.Unparseable}.
 */
public interface WebhookProvider {

  /** A short lowercase name, stored with every event and used in routes and metrics. */
  String name();

  /** Checks the signature over the raw body, with every secret active at {@code now}. */
  Verification verify(WebhookDelivery delivery, Instant now);

  /** Reads the event type, de-duplication key and ordering key of a verified delivery. */
  ParsedEvent parse(WebhookDelivery delivery);
}
