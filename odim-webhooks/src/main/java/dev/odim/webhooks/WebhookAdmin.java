package dev.odim.webhooks;

import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.webhooks.internal.Inbox;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What an operator does with the inbox: list events by status, read one (its body pretty-printed),
 * and replay events that died or were ignored.
 */
public final class WebhookAdmin {

  /** Builds the processing job of a stored event: id, provider, type, ordering key. */
  @FunctionalInterface
  interface JobFactory {
    NewJob jobFor(UUID id, String provider, String type, String orderingKey);
  }

  private final Db db;
  private final JobQueue queue;
  private final Inbox inbox;
  private final JobFactory jobs;

  WebhookAdmin(Db db, JobQueue queue, Inbox inbox, JobFactory jobs) {
    this.db = db;
    this.queue = queue;
    this.inbox = inbox;
    this.jobs = jobs;
  }

  /** One page of events, newest first; pass {@code query.after(last)} for the next. */
  public List<InboxEvent> events(InboxQuery query) {
    return db.inTransaction(handle -> inbox.page(handle, query));
  }

  public Optional<InboxEvent> event(UUID id) {
    return db.inTransaction(handle -> inbox.find(handle, id));
  }

  /** How many events wait for processing. */
  public long backlog() {
    return db.inTransaction(inbox::backlog);
  }

  /**
   * Queues a dead or ignored event for processing again. A dead event's dead letter (same id) is
   * replayed, keeping its attempt history; an ignored one gets a new job. Processed events are not
   * replayed: their effect was committed, and a second run could apply it twice.
   */
  public ReplayResult replay(UUID id) {
    Optional<InboxEvent> found = event(id);
    if (found.isEmpty()) {
      return ReplayResult.NOT_FOUND;
    }
    InboxEvent event = found.get();
    return switch (event.status()) {
      case PROCESSED, RECEIVED -> ReplayResult.NOT_REPLAYABLE;
      case DEAD -> replayDead(event);
      case IGNORED -> replayIgnored(event);
    };
  }

  private ReplayResult replayDead(InboxEvent event) {
    // The job treats a dead event as processable, so the order of these two steps cannot lose it.
    boolean fromDeadLetters = queue.admin().replay(event.id());
    return db.inTransaction(
        handle -> {
          if (!inbox.reopen(handle, event.id(), List.of(InboxStatus.DEAD))) {
            // Moved back from the dead letters, the job may already have run and processed the
            // event before this transaction looked: replayed all the same.
            return fromDeadLetters ? ReplayResult.REPLAYED : ReplayResult.NOT_REPLAYABLE;
          }
          if (!fromDeadLetters) {
            // the dead letter was discarded or purged: the event itself is still here
            queue.enqueue(handle, job(event));
          }
          return ReplayResult.REPLAYED;
        });
  }

  private ReplayResult replayIgnored(InboxEvent event) {
    return db.inTransaction(
        handle -> {
          if (!inbox.reopen(handle, event.id(), List.of(InboxStatus.IGNORED))) {
            return ReplayResult.NOT_REPLAYABLE;
          }
          queue.enqueue(handle, job(event));
          return ReplayResult.REPLAYED;
        });
  }

  private NewJob job(InboxEvent event) {
    return jobs.jobFor(event.id(), event.provider(), event.type(), event.orderingKey());
  }

  /**
   * Replays every dead or ignored event the query selects (its paging fields are ignored), oldest
   * first, at most {@code max}; returns how many were replayed.
   */
  public int replayAll(InboxQuery query, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    InboxQuery all =
        new InboxQuery(query.status(), query.provider(), query.type(), 500, null, null);
    List<UUID> ids = db.inTransaction(handle -> inbox.ids(handle, all, max));
    int replayed = 0;
    for (UUID id : ids) {
      if (replay(id) == ReplayResult.REPLAYED) {
        replayed++;
      }
    }
    return replayed;
  }
}
