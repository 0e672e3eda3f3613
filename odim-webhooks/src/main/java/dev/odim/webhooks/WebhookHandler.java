package dev.odim.webhooks;

import org.jdbi.v3.core.Handle;

/**
 * Processes one event type. It runs in the transaction that marks the event processed, so its
 * writes through {@code handle} and that mark commit together: an event's effect is applied exactly
 * once even when a worker dies mid-way. Throwing rolls the writes back and schedules a retry;
 * throwing {@link dev.odim.queue.PermanentJobFailure} sends the event to the dead letters at once.
 * Events of one ordering key arrive one at a time, in the order they were received, but an event
 * may still arrive before one it depends on (the provider sent them so): handlers decide from the
 * state they find, not from the order.
 */
@FunctionalInterface
public interface WebhookHandler {
  void handle(WebhookEvent event, Handle handle) throws Exception;
}
