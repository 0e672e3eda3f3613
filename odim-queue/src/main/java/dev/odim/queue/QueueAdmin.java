package dev.odim.queue;

import dev.odim.queue.spi.JobBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * What an operator does with a queue: count jobs, look at dead letters, replay or discard them,
 * apply the retention policy. Framework-neutral; the reference server's admin pages call it.
 */
public final class QueueAdmin {
  private final JobBackend backend;
  private final Clock clock;

  QueueAdmin(JobBackend backend, Clock clock) {
    this.backend = backend;
    this.clock = clock;
  }

  /** Counts for every queue that holds a job. */
  public List<QueueCounts> counts() {
    return backend.queues().stream().map(this::counts).toList();
  }

  /** Counts for one queue. */
  public QueueCounts counts(String queue) {
    return backend.counts(queue, clock.instant());
  }

  /** A live or dead job by id, with its attempt history. */
  public Optional<JobInfo> job(UUID id) {
    return backend.job(id);
  }

  /** One page of dead letters matching {@code query}, newest first. */
  public DeadLetterPage deadLetters(DeadLetterQuery query) {
    return backend.deadLetters(query);
  }

  /**
   * Sends one dead job back to its queue, due now, with fresh attempts and its history kept.
   *
   * @return false when there is no such dead job (or its de-duplication key is taken by a live job)
   */
  public boolean replay(UUID deadJobId) {
    return !backend.replay(List.of(deadJobId), clock.instant()).isEmpty();
  }

  /** Replays every dead job matching {@code query} (its cursor and limit are ignored). */
  public int replayAll(DeadLetterQuery query) {
    return forAll(query, ids -> backend.replay(ids, clock.instant()).size());
  }

  /** Deletes one dead job; false when there is none with that id. */
  public boolean discard(UUID deadJobId) {
    return backend.discard(List.of(deadJobId)) == 1;
  }

  /** Deletes every dead job matching {@code query} (its cursor and limit are ignored). */
  public int discardAll(DeadLetterQuery query) {
    return forAll(query, backend::discard);
  }

  /** The retention policy: deletes dead letters older than {@code age}; returns how many. */
  public int purgeDeadLetters(Duration age) {
    return backend.purgeDeadLetters(clock.instant().minus(age));
  }

  /**
   * Walks the matches page by page with the keyset cursor, which stays valid while the action
   * removes the rows it has passed.
   */
  private int forAll(DeadLetterQuery query, Function<List<UUID>, Integer> action) {
    DeadLetterQuery page = query.after(null).limit(500);
    int total = 0;
    while (true) {
      DeadLetterPage found = backend.deadLetters(page);
      List<UUID> ids = found.items().stream().map(JobInfo::id).toList();
      if (!ids.isEmpty()) {
        total += action.apply(ids);
      }
      if (found.nextCursor() == null) {
        return total;
      }
      page = page.after(found.nextCursor());
    }
  }
}
