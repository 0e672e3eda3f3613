package dev.odim.webhooks.internal;

import dev.odim.core.db.Db;
import dev.odim.queue.JobContext;
import dev.odim.queue.JobListener;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.queue.TransactionalJobHandler;
import dev.odim.webhooks.IdempotentWebhookHandler;
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
 *
 * <p>An event of an {@link IdempotentWebhookHandler} comes as a plain job instead ({@link
 * #handleOutsideTransaction}): its row is checked in a short transaction, the handler runs with no
 * transaction open, and the event is marked processed in another short one.
 */
public final class Dispatcher implements TransactionalJobHandler, JobListener {
  private final Db db;
  private final Inbox inbox;
  private final Map<String, WebhookProvider> providers;
  private final Map<String, WebhookHandler> handlers;
  private final Map<String, IdempotentWebhookHandler> idempotentHandlers;
  private final Clock clock;
  private final BinaryOperator<String> handlerKey;

  public Dispatcher(
      Db db,
      Inbox inbox,
      Map<String, WebhookProvider> providers,
      Map<String, WebhookHandler> handlers,
      Map<String, IdempotentWebhookHandler> idempotentHandlers,
      Clock clock,
      BinaryOperator<String> handlerKey) {
    this.db = db;
    this.inbox = inbox;
    this.providers = providers;
    this.handlers = handlers;
    this.idempotentHandlers = idempotentHandlers;
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
    if (done(stored)) {
      return; // an earlier run committed (its completion was lost), or an operator decided
    }
    ParsedEvent.Event event = parse(stored);
    Instant now = clock.instant();
    WebhookHandler handler = handlers.get(handlerKey.apply(stored.provider(), event.type()));
    if (handler == null) {
      inbox.finish(handle, stored.id(), InboxStatus.IGNORED, job.attempt(), now);
      return;
    }
    handler.handle(webhookEvent(stored, event, job), handle);
    inbox.finish(handle, stored.id(), InboxStatus.PROCESSED, job.attempt(), now);
  }

  /**
   * The plain job of an event whose handler is idempotent by its own means: no transaction and no
   * pooled connection is held while the handler runs, so handlers waiting on a group commit do not
   * take the pool from everyone else. Two runs of one event may both run the handler (the handler's
   * contract allows it); the event is marked processed after it returned.
   */
  public void handleOutsideTransaction(JobContext job) throws Exception {
    Optional<Inbox.Stored> found = db.inTransaction(h -> inbox.lock(h, job.id()));
    if (found.isEmpty() || done(found.get())) {
      return;
    }
    Inbox.Stored stored = found.get();
    ParsedEvent.Event event = parse(stored);
    IdempotentWebhookHandler handler =
        idempotentHandlers.get(handlerKey.apply(stored.provider(), event.type()));
    if (handler == null) {
      // Registered as an ordinary handler since this event was queued (or not at all): the
      // ordinary way, in one transaction, is right for either.
      db.useTransaction(h -> handle(job, h));
      return;
    }
    handler.handle(webhookEvent(stored, event, job));
    db.useTransaction(
        h -> {
          Optional<Inbox.Stored> now = inbox.lock(h, job.id());
          if (now.isPresent() && !done(now.get())) {
            inbox.finish(h, job.id(), InboxStatus.PROCESSED, job.attempt(), clock.instant());
          }
        });
  }

  private static boolean done(Inbox.Stored stored) {
    return stored.status() == InboxStatus.PROCESSED || stored.status() == InboxStatus.IGNORED;
  }

  private ParsedEvent.Event parse(Inbox.Stored stored) {
    WebhookProvider provider = providers.get(stored.provider());
    if (provider == null) {
      throw new PermanentJobFailure("no webhook provider named " + stored.provider());
    }
    ParsedEvent parsed = provider.parse(new WebhookDelivery(stored.headers(), stored.body(), ""));
    if (parsed instanceof ParsedEvent.Unparseable unparseable) {
      throw new PermanentJobFailure(
          "the body is not a " + stored.provider() + " event: " + unparseable.reason());
    }
    return (ParsedEvent.Event) parsed;
  }

  private static WebhookEvent webhookEvent(
      Inbox.Stored stored, ParsedEvent.Event event, JobContext job) {
    return new WebhookEvent(
        stored.id(),
        stored.provider(),
        event.type(),
        event.key(),
        event.orderingKey(),
        event.payload(),
        stored.receivedAt(),
        job.attempt());
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
