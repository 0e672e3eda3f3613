package dev.odim.webhooks;

/**
 * Processes one event type outside any transaction of the inbox's, for handlers that are idempotent
 * by their own means (a settlement that settles a reference once however often it is asked) and
 * that would otherwise hold a pooled connection while they wait, for instance on a group commit.
 *
 * <p>The contract: it may run more than once for one event (a worker dies after it returned and
 * before the event was marked processed; a duplicate delivery is a second event of its own), so it
 * must be idempotent; the event is marked processed after it returns, in a transaction of its own.
 * Throwing schedules a retry, as for a {@link WebhookHandler}; throwing {@link
 * dev.odim.queue.PermanentJobFailure} sends the event to the dead letters. Events of one ordering
 * key still arrive one at a time, in the order they were received.
 */
@FunctionalInterface
public interface IdempotentWebhookHandler {
  void handle(WebhookEvent event) throws Exception;
}
