package dev.odim.queue.spi;

import dev.odim.queue.Attempt;
import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.EnqueueResult;
import dev.odim.queue.JobInfo;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueCounts;
import dev.odim.queue.QueueException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleConsumer;

/**
 * Where jobs live. Every method is atomic on its own: a job is in exactly one state at any time,
 * and concurrent workers never hold the same job. Times come from the caller ({@code now}), so a
 * test's clock drives leases, backoff and schedules.
 *
 * <p>Jobs arrive validated and with ids ({@link dev.odim.queue.JobQueue} does both).
 */
public interface JobBackend extends AutoCloseable {

  /** A short name for metrics and logs: {@code postgres}, {@code redis}. */
  String name();

  /**
   * Stores the jobs, each once: a job whose id or (queue, de-duplication key) matches an unfinished
   * job is not written and answers {@code duplicate} with the existing job's id.
   */
  List<EnqueueResult> enqueue(List<NewJob> jobs, Instant now);

  /** Whether {@link #enqueue(Handle, List, Instant)} works (the job commits with the caller). */
  default boolean supportsTransactions() {
    return false;
  }

  /**
   * Stores the jobs inside the caller's transaction: they exist if and only if it commits.
   *
   * @throws QueueException on a backend without transactions
   */
  default List<EnqueueResult> enqueue(Handle handle, List<NewJob> jobs, Instant now) {
    throw new QueueException(
        "the "
            + name()
            + " backend cannot enqueue inside a database transaction; enqueue into a PostgreSQL"
            + " outbox and relay it (OutboxRelay)");
  }

  /**
   * Leases up to {@code max} due jobs of {@code queue} to {@code worker} until {@code now +
   * leaseFor}, smallest priority first, then oldest due. A job whose lease expired (its worker
   * died) is due again: its lost attempt is recorded in its history with error class {@link
   * Attempt#LEASE_EXPIRED}, and if that was its last attempt it moves to the dead letters instead
   * of being leased. A job with an ordering key is leased only when no earlier job with that key is
   * unfinished.
   */
  List<LeasedJob> lease(String queue, int max, String worker, Duration leaseFor, Instant now);

  /**
   * Asks to be told when jobs are enqueued into {@code queue}, so that an idle worker wakes at once
   * instead of at its next poll (PostgreSQL: LISTEN/NOTIFY; Redis: pub/sub). The default never
   * calls: workers poll. {@code wake} must be cheap and must not block; it may be called when
   * nothing new is due (PostgreSQL wakes a subscriber once when it subscribes).
   *
   * @return closes the subscription
   */
  default AutoCloseable subscribe(String queue, Runnable wake) {
    return () -> {};
  }

  /** Removes succeeded jobs still leased under their tokens; others are left alone. */
  void complete(List<LeasedJob> jobs, Instant now);

  /**
   * Runs {@code work} and the job's completion as one database transaction, so the handler's writes
   * happen exactly once in effect.
   *
   * @return false, with nothing of {@code work} committed, when the job is no longer this lease's
   *     (taken over after expiry, or already completed)
   * @throws QueueException on a backend that cannot (no database configured)
   * @throws Exception whatever {@code work} threw; the transaction is rolled back
   */
  boolean completeInTransaction(LeasedJob job, HandleConsumer<Exception> work, Instant now)
      throws Exception;

  /** Records a failed attempt and makes the job due again at {@code runAt}, if still leased. */
  void retry(LeasedJob job, Attempt failure, Instant runAt);

  /** Records the last failed attempt and moves the job to the dead letters, if still leased. */
  void deadLetter(LeasedJob job, Attempt failure, String reason, Instant now);

  /**
   * Hands leased jobs back unrun (a worker shutting down): due now, and the attempt not counted.
   */
  void release(List<LeasedJob> jobs, Instant now);

  /**
   * Extends the leases to {@code leaseUntil}.
   *
   * @return the ids of the jobs this worker no longer holds (their lease was taken over)
   */
  Set<UUID> heartbeat(List<LeasedJob> jobs, Instant leaseUntil);

  /** The slot a schedule last fired, if it ever fired. */
  Optional<Instant> lastFired(String schedule);

  /**
   * Fires a recurring schedule for one slot: if the schedule's last fired slot is before {@code
   * slot} (or it never fired), records {@code slot} and enqueues {@code job}, atomically.
   *
   * @return whether this call fired it (false: another instance already fired this slot)
   */
  boolean fireSchedule(String schedule, Instant slot, NewJob job, Instant now);

  /** Counts for one queue at {@code now}. */
  QueueCounts counts(String queue, Instant now);

  /** The queues that hold any job, live or dead. */
  List<String> queues();

  /** A live or dead job by id. */
  Optional<JobInfo> job(UUID id);

  /** Dead letters matching the query, newest first. */
  DeadLetterPage deadLetters(DeadLetterQuery query);

  /**
   * Moves dead jobs back to their queue, due at {@code now}, with a fresh set of attempts and their
   * history kept. A dead job whose de-duplication key is now taken by a live job stays dead.
   *
   * @return the ids replayed
   */
  List<UUID> replay(List<UUID> deadJobIds, Instant now);

  /** Deletes dead letters; returns how many were deleted. */
  int discard(List<UUID> deadJobIds);

  /** Deletes dead letters that died before {@code before}; returns how many. */
  int purgeDeadLetters(Instant before);

  @Override
  void close();
}
