package dev.odim.webhooks;

import java.util.UUID;

/** What the inbox did with a verified delivery; either way it is durable and answered 200. */
public sealed interface Receipt {

  /** The inbox id of the event. */
  UUID id();

  /**
   * The first delivery of an event: stored, and queued for processing unless {@code status} is
   * {@link InboxStatus#IGNORED}.
   */
  record Stored(UUID id, InboxStatus status) implements Receipt {}

  /** A later delivery of a stored event: counted on that event, not processed again. */
  record Duplicate(UUID id) implements Receipt {}
}
