package dev.odim.queue;

import dev.odim.core.Ids;
import dev.odim.queue.internal.JobValidator;
import dev.odim.queue.internal.RelayedJob;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * Enqueues into a queue that cannot join a database transaction (Redis) from inside one: the job is
 * written to a PostgreSQL outbox in the caller's transaction, and the relay's worker forwards it to
 * the target queue. The job reaches the target if and only if the business transaction commits
 * (DESIGN.md, rule 2), and reaches it once.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.builder(postgresQueue, redisQueue).build().start();
 * db.useTransaction(handle -> {
 *   markPaymentSucceeded(handle, paymentId);
 *   relay.enqueue(handle, NewJob.of("send-receipt", json)); // in Redis after the commit, or never
 * });
 * }</pre>
 *
 * <p>The relay is built on the queue itself: {@link #enqueue(Handle, NewJob)} gives the job its id
 * and writes a relay job of type {@value #JOB_TYPE} (with the same id) into the outbox, and a
 * worker on the outbox enqueues the job into the target under that id. A relay worker that dies
 * after the target accepted the job but before the outbox heard sends it again; the target answers
 * that id as a duplicate (the Redis backend remembers finished ids for its finished-job retention,
 * 7 days by default), so the job runs once. Relay jobs carry the job's ordering key, so the jobs of
 * one key reach the target in the order they were enqueued. A relay job retries for about two days
 * (Redis down) before it lands in the outbox's dead letters, where it can be replayed; a job the
 * target refuses (say, a payload over its maximum) goes there at once.
 *
 * <p>The outbox's payloads hold the whole job: give the outbox queue a maximum payload size above
 * the target's.
 */
public final class OutboxRelay implements AutoCloseable {
  /** The type of the relay jobs in the outbox. */
  public static final String JOB_TYPE = "odim.relay";

  static final int MAX_ATTEMPTS = 1000;

  /** With full jitter about 2.5 minutes a retry, so 1000 attempts span about two days. */
  static final Backoff RETRY = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5));

  private final JobQueue outbox;
  private final String queue;
  private final Worker worker;
  private final Ids ids = Ids.withClock(Clock.systemUTC());

  /** Checks every field but the payload's size, which the target's own limit decides. */
  private final JobValidator validator = new JobValidator(Integer.MAX_VALUE);

  OutboxRelay(JobQueue outbox, String queue, Worker worker) {
    this.outbox = outbox;
    this.queue = queue;
    this.worker = worker;
  }

  /**
   * Starts configuring a relay from {@code outbox}, a queue whose backend enqueues inside
   * transactions (PostgreSQL), to {@code target}.
   */
  public static OutboxRelayBuilder builder(JobQueue outbox, JobQueue target) {
    return new OutboxRelayBuilder(outbox, target);
  }

  /**
   * Writes {@code job} into the outbox inside the caller's transaction; after the commit the relay
   * enqueues it into the target.
   *
   * @return the job's id (chosen now when the job has none) and whether the outbox already held an
   *     unsent job with that id
   * @throws InvalidJobException when the job is invalid; nothing is written
   */
  public EnqueueResult enqueue(Handle handle, NewJob job) {
    return enqueueAll(handle, List.of(job)).getFirst();
  }

  /** {@link #enqueue(Handle, NewJob)} for several jobs: all of them or, if any is invalid, none. */
  public List<EnqueueResult> enqueueAll(Handle handle, List<NewJob> jobs) {
    Objects.requireNonNull(handle, "handle");
    return outbox.enqueueAll(handle, jobs.stream().map(this::relayJobFor).toList());
  }

  private NewJob relayJobFor(NewJob job) {
    NewJob identified = validator.validated(job.id() == null ? job.id(ids.next()) : job);
    return NewJob.of(JOB_TYPE, RelayedJob.toJson(identified))
        .id(identified.id())
        .queue(queue)
        .orderingKey(identified.orderingKey())
        .priority(identified.priority())
        .maxAttempts(MAX_ATTEMPTS)
        .backoff(RETRY);
  }

  /** Starts forwarding; a second call does nothing. Returns this relay. */
  public OutboxRelay start() {
    worker.start();
    return this;
  }

  /** Stops forwarding; relay jobs not yet sent stay in the outbox for the next start. */
  @Override
  public void close() {
    worker.close();
  }

  /** The relay worker's handler: enqueue the job into the target under its own id. */
  static JobHandler forwardingTo(JobQueue target) {
    return relayJob -> {
      NewJob job;
      try {
        job = RelayedJob.fromJson(relayJob.payload());
      } catch (IllegalArgumentException e) {
        throw new PermanentJobFailure("the relay job's payload is not a job: " + e.getMessage(), e);
      }
      try {
        target.enqueue(job);
      } catch (InvalidJobException e) {
        throw new PermanentJobFailure("the target queue refuses the job: " + e.getMessage(), e);
      }
    };
  }
}
