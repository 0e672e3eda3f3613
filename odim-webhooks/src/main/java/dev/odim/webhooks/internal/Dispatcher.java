package dev.odim.webhooks.internal;

import dev.odim.core.db.Db;
import dev.odim.queue.JobContext;
import dev.odim.queue.JobListener;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.queue.TransactionalJobHandler;
import dev.odim.webhooks.InboxStatus;
import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.WebhookDelivery;
import dev.odim.webhooks.WebhookEvent;
import dev.odim.webhooks.WebhookHandler;
import dev.odim.webhooks.WebhookProvider;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BinaryOperator;
import org.jdbi.v3.core.Handle;

/**
 * The processing job of a stored event: it locks the event's row, parses the stored body again,
 * runs the handler for its type and marks it processed, all in the job's transaction. As a job
 * listener it records failed attempts on the event, so an operator sees them in the inbox too.
 */
public final class Dispatcher implements TransactionalJobHandler, JobListener {
  private final Db db;
  private final Inbox inbox;
  private final Map<String, WebhookProvider> providers;
  private final Map<String, WebhookHandler> handlers;
  private final Clock clock;
  private final BinaryOperator<String> handlerKey;

  public Dispatcher(
      Db db,
      Inbox inbox,
      Map<String, WebhookProvider> providers,
      Map<String, WebhookHandler> handlers,
      Clock clock,
      BinaryOperator<String> handlerKey) {
    this.db = db;
    this.inbox = inbox;
    this.providers = providers;
    this.handlers = handlers;
    this.clock = clock;
    this.handlerKey = handlerKey;
  }

  @Override
  public void handle(JobContext job, Handle handle) throws Exception {
    Optional<Inbox.Stored> found = inbox.lock(handle, job.id());
    if (found.isEmpty()) {
      return; // purged by retention: nothing left to process
    }
    Inbox.Stored stored = found.get();
    if (stored.status() == InboxStatus.PROCESSED || stored.status() == InboxStatus.IGNORED) {
      return; // an earlier run committed (its completion was lost), or an operator decided
    }
    WebhookProvider provider = providers.get(stored.provider());
    if (provider == null) {
      throw new PermanentJobFailure("no webhook provider named " + stored.provider());
    }
    ParsedEvent parsed = provider.parse(new WebhookDelivery(stored.headers(), stored.body(), ""));
    if (parsed instanceof ParsedEvent.Unparseable unparseable) {
      throw new PermanentJobFailure(
          "the body is not a " + stored.provider() + " event: " + unparseable.reason());
    }
    ParsedEvent.Event event = (ParsedEvent.Event) parsed;
    Instant now = clock.instant();
    WebhookHandler handler = handlers.get(handlerKey.apply(stored.provider(), event.type()));
    if (handler == null) {
      inbox.finish(handle, stored.id(), InboxStatus.IGNORED, job.attempt(), now);
      return;
    }
    handler.handle(
        new WebhookEvent(
            stored.id(),
            stored.provider(),
            event.type(),
            event.key(),
            event.orderingKey(),
            event.payload(),
            stored.receivedAt(),
            job.attempt()),
        handle);
    inbox.finish(handle, stored.id(), InboxStatus.PROCESSED, job.attempt(), now);
  }

  @Override
  public void retryScheduled(JobContext job, Throwable failure, Instant nextRunAt) {
    record(job, failure.getClass().getName() + ": " + failure.getMessage(), false);
  }

  @Override
  public void deadLettered(JobContext job, String reason) {
    record(job, reason, true);
  }

  private void record(JobContext job, String error, boolean dead) {
    // The queue already holds the failure; this copy is for the inbox's view, so a failure to
    // write it changes nothing about what is processed.
    try {
      db.useTransaction(
          handle -> inbox.recordFailure(handle, job.id(), job.attempt(), truncate(error), dead));
    } catch (RuntimeException e) {
      // the next attempt, or the dead letter, still tells the whole story
    }
  }

  private static String truncate(String text) {
    return text.length() <= 2_000 ? text : text.substring(0, 2_000) + "...";
  }
}
