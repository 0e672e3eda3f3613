package dev.odim.webhooks;

/** What {@link WebhookAdmin#replay} did. */
public enum ReplayResult {
  /** The event was queued for processing again. */
  REPLAYED,
  /** No stored event has that id. */
  NOT_FOUND,
  /**
   * The event is processed or still waiting for processing: replaying it could apply its effect
   * twice, or would change nothing.
   */
  NOT_REPLAYABLE
}
