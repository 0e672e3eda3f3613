package dev.odim.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A stored event as an operator sees it.
 *
 * @param id the inbox id (also the id of its processing job)
 * @param provider the provider's name
 * @param key the de-duplication key
 * @param type the event type, or null when the body could not be read
 * @param orderingKey the ordering key, or null
 * @param status where it is in its life
 * @param headers the delivery's headers as stored
 * @param body the raw body, decoded as UTF-8
 * @param prettyBody the body indented for reading when it is JSON, else the body as it is
 * @param receivedAt when the first delivery was stored
 * @param processedAt when a handler committed its work, or null
 * @param attempts processing attempts that failed or ended it
 * @param lastError the last failure's class and message, or null
 * @param duplicates how many later deliveries of the same event were answered without storing
 * @param lastDuplicateAt when the last of those arrived, or null
 */
public record InboxEvent(
    UUID id,
    String provider,
    String key,
    @Nullable String type,
    @Nullable String orderingKey,
    InboxStatus status,
    Map<String, List<String>> headers,
    String body,
    String prettyBody,
    Instant receivedAt,
    @Nullable Instant processedAt,
    int attempts,
    @Nullable String lastError,
    int duplicates,
    @Nullable Instant lastDuplicateAt) {}
