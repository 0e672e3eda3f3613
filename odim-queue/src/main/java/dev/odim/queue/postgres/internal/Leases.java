package dev.odim.queue.postgres.internal;

import dev.odim.core.db.Db;
import dev.odim.queue.Attempt;
import dev.odim.queue.spi.LeasedJob;
import java.io.Serial;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.HandleConsumer;

/**
 * A job's life between fetch and finish. Every move after the lease names the job's id and lease
 * token together, so a worker whose lease expired and was taken over changes nothing.
 */
public final class Leases {
  private final Db db;
  private final QueueSql sql;
  private final String channel;

  public Leases(Db db, QueueSql sql, String channel) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
  }

  public List<LeasedJob> lease(
      String queue, int max, String worker, Duration leaseFor, Instant now) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(sql.lease)
                .bind("queue", queue)
                .bind("max", max)
                .bind("worker", worker)
                .bind("now", JobRows.time(now))
                .bind("until", JobRows.time(now.plus(leaseFor)))
                .map((row, context) -> JobRows.leasedJob(row))
                .list());
  }

  public void complete(List<LeasedJob> jobs) {
    if (jobs.isEmpty()) {
      return;
    }
    db.withHandle(
        handle ->
            handle
                .createUpdate(sql.complete)
                .bind("ids", ids(jobs))
                .bind("tokens", tokens(jobs))
                .execute());
  }

  public boolean completeInTransaction(LeasedJob job, HandleConsumer<Exception> work)
      throws Exception {
    try {
      return db.inTransaction(
          handle -> {
            work.useHandle(handle);
            int deleted =
                handle
                    .createUpdate(sql.completeOne)
                    .bind("id", job.id())
                    .bind("token", job.leaseToken())
                    .execute();
            if (deleted == 0) {
              throw new LeaseLost(); // rolls the work back with it
            }
            return true;
          });
    } catch (LeaseLost e) {
      return false;
    }
  }

  public void retry(LeasedJob job, Attempt failure, Instant runAt) {
    db.withHandle(
        handle ->
            handle
                .createUpdate(sql.retry)
                .bind("id", job.id())
                .bind("token", job.leaseToken())
                .bind("runAt", JobRows.time(runAt))
                .bind("attempt", AttemptHistory.append(failure))
                .execute());
  }

  public void deadLetter(LeasedJob job, Attempt failure, String reason, Instant now) {
    db.withHandle(
        handle ->
            handle
                .createUpdate(sql.deadLetter)
                .bind("id", job.id())
                .bind("token", job.leaseToken())
                .bind("attempt", AttemptHistory.append(failure))
                .bind("reason", reason)
                .bind("now", JobRows.time(now))
                .execute());
  }

  public void release(List<LeasedJob> jobs, Instant now) {
    if (jobs.isEmpty()) {
      return;
    }
    db.withHandle(
        handle ->
            handle
                .createQuery(sql.release)
                .bind("ids", ids(jobs))
                .bind("tokens", tokens(jobs))
                .bind("now", JobRows.time(now))
                .bind("channel", channel)
                .mapTo(String.class)
                .list());
  }

  public Set<UUID> heartbeat(List<LeasedJob> jobs, Instant leaseUntil) {
    if (jobs.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(
        db.withHandle(
            handle ->
                handle
                    .createQuery(sql.heartbeat)
                    .bind("ids", ids(jobs))
                    .bind("tokens", tokens(jobs))
                    .bind("until", JobRows.time(leaseUntil))
                    .mapTo(UUID.class)
                    .list()));
  }

  private static UUID[] ids(List<LeasedJob> jobs) {
    return jobs.stream().map(LeasedJob::id).toArray(UUID[]::new);
  }

  private static UUID[] tokens(List<LeasedJob> jobs) {
    return jobs.stream().map(LeasedJob::leaseToken).toArray(UUID[]::new);
  }

  /** The job is no longer this lease's; thrown to roll the handler's work back. */
  private static final class LeaseLost extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    LeaseLost() {
      super(null, null, false, false);
    }
  }
}
