package dev.odim.queue;

import dev.odim.core.Ids;
import dev.odim.queue.internal.JobValidator;
import dev.odim.queue.spi.JobBackend;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * The producer's side of a queue: validates jobs, gives them ids and hands them to the backend.
 * Thread-safe and immutable; one per backend is enough for a whole application.
 *
 * <pre>{@code
 * JobQueue queue = JobQueue.builder(PostgresBackend.builder(db).build()).build();
 * db.useTransaction(handle -> {
 *   markPaymentSucceeded(handle, paymentId);
 *   queue.enqueue(handle, NewJob.of("send-receipt", json)); // commits with the payment, or not at all
 * });
 * try (Worker worker = queue.worker().handler("send-receipt", job -> send(job.payload())).start()) {
 *   ...
 * }
 * }</pre>
 */
public final class JobQueue {
  private final JobBackend backend;
  private final Clock clock;
  private final Ids ids;
  private final JobValidator validator;

  JobQueue(JobBackend backend, Clock clock, int maxPayloadBytes) {
    this.backend = backend;
    this.clock = clock;
    this.ids = Ids.withClock(clock);
    this.validator = new JobValidator(maxPayloadBytes);
  }

  /** Starts configuring a queue over {@code backend}. */
  public static JobQueueBuilder builder(JobBackend backend) {
    return new JobQueueBuilder(backend);
  }

  /**
   * Enqueues one job in its own write.
   *
   * @throws InvalidJobException when the job is invalid; nothing is written
   */
  public EnqueueResult enqueue(NewJob job) {
    return enqueueAll(List.of(job)).getFirst();
  }

  /**
   * Enqueues jobs in one write: all of them or, if any is invalid, none.
   *
   * @throws InvalidJobException naming the first invalid job's field
   */
  public List<EnqueueResult> enqueueAll(List<NewJob> jobs) {
    return backend.enqueue(prepare(jobs), clock.instant());
  }

  /**
   * Enqueues one job inside the caller's transaction: it exists if and only if that transaction
   * commits (a transactional outbox).
   *
   * @throws QueueException when the backend has no transactions (Redis: use {@link OutboxRelay})
   */
  public EnqueueResult enqueue(Handle handle, NewJob job) {
    return enqueueAll(handle, List.of(job)).getFirst();
  }

  /** {@link #enqueue(Handle, NewJob)} for several jobs. */
  public List<EnqueueResult> enqueueAll(Handle handle, List<NewJob> jobs) {
    Objects.requireNonNull(handle, "handle");
    if (!backend.supportsTransactions()) {
      return backend.enqueue(handle, jobs, clock.instant()); // throws the backend's explanation
    }
    return backend.enqueue(handle, prepare(jobs), clock.instant());
  }

  /** A worker over this queue's backend and clock; register handlers, then start it. */
  public WorkerBuilder worker() {
    return new WorkerBuilder(backend, clock);
  }

  /** Counts, dead letters and replay, for operators and admin pages. */
  public QueueAdmin admin() {
    return new QueueAdmin(backend, clock);
  }

  /** The backend this queue writes to. */
  public JobBackend backend() {
    return backend;
  }

  private List<NewJob> prepare(List<NewJob> jobs) {
    Objects.requireNonNull(jobs, "jobs");
    return jobs.stream()
        .map(job -> validator.validated(job.id() == null ? job.id(ids.next()) : job))
        .toList();
  }
}
