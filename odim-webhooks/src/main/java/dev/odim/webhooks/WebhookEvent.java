package dev.odim.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A stored event as its handler receives it.
 *
 * @param id the inbox id (also the id of the job that processes it)
 * @param provider the provider's name, e.g. {@code paystack}
 * @param type the event type, e.g. {@code charge.success}
 * @param key the de-duplication key
 * @param orderingKey events with the same key are processed one at a time, in order; or null
 * @param payload the parsed body
 * @param receivedAt when the first delivery of the event was stored
 * @param attempt which attempt at processing this is, from 1
 */
public record WebhookEvent(
    UUID id,
    String provider,
    String type,
    String key,
    @Nullable String orderingKey,
    JsonNode payload,
    Instant receivedAt,
    int attempt) {}
