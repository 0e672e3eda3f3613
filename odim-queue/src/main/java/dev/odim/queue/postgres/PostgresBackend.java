package dev.odim.queue.postgres;

import dev.odim.core.db.Db;
import dev.odim.queue.Attempt;
import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.EnqueueResult;
import dev.odim.queue.JobInfo;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueCounts;
import dev.odim.queue.postgres.internal.DeadLetters;
import dev.odim.queue.postgres.internal.EnqueueNotifications;
import dev.odim.queue.postgres.internal.Enqueuer;
import dev.odim.queue.postgres.internal.Leases;
import dev.odim.queue.postgres.internal.QueueReads;
import dev.odim.queue.postgres.internal.QueueSql;
import dev.odim.queue.postgres.internal.Schedules;
import dev.odim.queue.spi.JobBackend;
import dev.odim.queue.spi.LeasedJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Jobs in PostgreSQL, the queue's default backend. A job is one row from enqueue until it succeeds
 * (the row is deleted, so the table holds only unfinished work) or dies (the row moves to the dead
 * letters). Enqueue can join the caller's transaction, and a transactional handler's writes commit
 * with the job's completion. Thread-safe; one per schema is enough for a whole application.
 *
 * <pre>{@code
 * JobBackend backend = PostgresBackend.builder(db).clock(clock).build();
 * JobQueue queue = JobQueue.builder(backend).clock(clock).build();
 * }</pre>
 */
public final class PostgresBackend implements JobBackend {
  private final Db db;
  private final Clock clock;
  private final Enqueuer enqueuer;
  private final Leases leases;
  private final DeadLetters deadLetters;
  private final QueueReads reads;
  private final Schedules schedules;
  private final @Nullable EnqueueNotifications notifications;

  PostgresBackend(Db db, String schema, boolean listen, Clock clock) {
    QueueSql sql = new QueueSql(schema);
    String channel = schema + "_enqueued";
    this.db = db;
    this.clock = clock;
    this.enqueuer = new Enqueuer(sql, channel);
    this.leases = new Leases(db, sql, channel);
    this.deadLetters = new DeadLetters(db, sql, channel);
    this.reads = new QueueReads(db, sql);
    this.schedules = new Schedules(db, sql, enqueuer);
    this.notifications = listen ? new EnqueueNotifications(db.dataSource(), channel) : null;
  }

  /** Starts configuring a backend on {@code db}. */
  public static PostgresBackendBuilder builder(Db db) {
    return new PostgresBackendBuilder(db);
  }

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    return db.withHandle(handle -> enqueuer.enqueue(handle, jobs, now));
  }

  @Override
  public boolean supportsTransactions() {
    return true;
  }

  @Override
  public List<EnqueueResult> enqueue(Handle handle, List<NewJob> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    return enqueuer.enqueue(handle, jobs, now);
  }

  @Override
  public List<LeasedJob> lease(
      String queue, int max, String worker, Duration leaseFor, Instant now) {
    return leases.lease(queue, max, worker, leaseFor, now);
  }

  @Override
  public AutoCloseable subscribe(String queue, Runnable wake) {
    return notifications == null ? () -> {} : notifications.subscribe(queue, wake);
  }

  @Override
  public void complete(List<LeasedJob> jobs, Instant now) {
    leases.complete(jobs);
  }

  @Override
  public boolean completeInTransaction(LeasedJob job, HandleConsumer<Exception> work, Instant now)
      throws Exception {
    return leases.completeInTransaction(job, work);
  }

  @Override
  public void retry(LeasedJob job, Attempt failure, Instant runAt) {
    leases.retry(job, failure, runAt);
  }

  @Override
  public void deadLetter(LeasedJob job, Attempt failure, String reason, Instant now) {
    leases.deadLetter(job, failure, reason, now);
  }

  @Override
  public void release(List<LeasedJob> jobs, Instant now) {
    leases.release(jobs, now);
  }

  @Override
  public Set<UUID> heartbeat(List<LeasedJob> jobs, Instant leaseUntil) {
    return leases.heartbeat(jobs, leaseUntil);
  }

  @Override
  public Optional<Instant> lastFired(String schedule) {
    return schedules.lastFired(schedule);
  }

  @Override
  public boolean fireSchedule(String schedule, Instant slot, NewJob job, Instant now) {
    return schedules.fire(schedule, slot, job, now);
  }

  @Override
  public QueueCounts counts(String queue, Instant now) {
    return reads.counts(queue, now);
  }

  @Override
  public List<String> queues() {
    return reads.queues();
  }

  /** The job's state is read at this backend's clock ({@link PostgresBackendBuilder#clock}). */
  @Override
  public Optional<JobInfo> job(UUID id) {
    return reads.job(id, clock.instant());
  }

  @Override
  public DeadLetterPage deadLetters(DeadLetterQuery query) {
    return deadLetters.list(query);
  }

  @Override
  public List<UUID> replay(List<UUID> deadJobIds, Instant now) {
    return deadLetters.replay(deadJobIds, now);
  }

  @Override
  public int discard(List<UUID> deadJobIds) {
    return deadLetters.discard(deadJobIds);
  }

  @Override
  public int purgeDeadLetters(Instant before) {
    return deadLetters.purge(before);
  }

  /** Stops listening for notifications; the {@link Db} stays open (it is the caller's). */
  @Override
  public void close() {
    if (notifications != null) {
      notifications.close();
    }
  }
}
