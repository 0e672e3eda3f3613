package dev.odim.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** What a verified delivery's body says: an event, or why it cannot be one. */
public sealed interface ParsedEvent {

  /** The key the inbox de-duplicates on; unique per provider. */
  String key();

  /**
   * A well-formed event.
   *
   * @param type the provider's event type, e.g. {@code charge.success}
   * @param key the de-duplication key: the same event delivered again has the same key
   * @param orderingKey events with the same ordering key are processed one at a time, in the order
   *     they were received (e.g. every event of one payment reference); null for none
   * @param payload the parsed body
   */
  record Event(String type, String key, @Nullable String orderingKey, JsonNode payload)
      implements ParsedEvent {}

  /**
   * A correctly signed body that is not valid JSON or lacks the fields the provider always sends.
   * It is stored (the provider's retries of it are duplicates) and goes straight to dead letters.
   *
   * @param key a key derived from the body itself (e.g. its SHA-256), so that re-sends of the same
   *     body are still recognized as duplicates
   * @param reason what is wrong, for the dead letter
   */
  record Unparseable(String key, String reason) implements ParsedEvent {}
}
