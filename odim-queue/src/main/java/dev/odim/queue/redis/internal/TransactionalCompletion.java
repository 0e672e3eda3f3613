package dev.odim.queue.redis.internal;

import dev.odim.core.db.Db;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.HandleConsumer;

/**
 * The database half of a transactional handler on Redis: the job's id is recorded in {@code
 * processed_jobs} in the same transaction as the handler's writes, and an id already recorded means
 * an earlier attempt committed the work, so it is not done again. Rows are needed only until Redis
 * has forgotten the job, so rows older than the finished-job retention are swept, at most once per
 * hour and in bounded batches, which keeps the table from growing without end.
 */
public final class TransactionalCompletion {
  private static final long SWEEP_EVERY_MILLIS = Duration.ofHours(1).toMillis();
  private static final int SWEEP_BATCH = 10_000;

  private final Db db;
  private final String table;
  private final Duration retention;
  private final AtomicLong nextSweepMillis = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param schema a validated SQL identifier holding {@code processed_jobs}
   * @param retention how long a row is kept
   */
  public TransactionalCompletion(Db db, String schema, Duration retention) {
    this.db = db;
    this.table = schema + ".processed_jobs";
    this.retention = retention;
  }

  /**
   * Runs {@code work} and records {@code jobId} in one transaction, unless the id is recorded
   * already (then nothing runs).
   *
   * @return whether {@code work} ran and committed
   */
  public boolean runOnce(UUID jobId, HandleConsumer<Exception> work, Instant now) throws Exception {
    return db.inTransaction(
        handle -> {
          boolean first =
              handle
                      .createUpdate(
                          "INSERT INTO "
                              + table
                              + " (job_id, processed_at) VALUES (:id, :at)"
                              + " ON CONFLICT (job_id) DO NOTHING")
                      .bind("id", jobId)
                      .bind("at", now)
                      .execute()
                  == 1;
          if (first) {
            work.useHandle(handle);
          }
          return first;
        });
  }

  /** Deletes rows past the retention, if the last sweep was an hour ago (by {@code now}). */
  public void sweepIfDue(Instant now) {
    long next = nextSweepMillis.get();
    long nowMillis = now.toEpochMilli();
    if (nowMillis < next || !nextSweepMillis.compareAndSet(next, nowMillis + SWEEP_EVERY_MILLIS)) {
      return;
    }
    Instant cutoff = now.minus(retention);
    int deleted;
    do {
      deleted =
          db.inTransaction(
              handle ->
                  handle
                      .createUpdate(
                          "DELETE FROM "
                              + table
                              + " WHERE job_id IN (SELECT job_id FROM "
                              + table
                              + " WHERE processed_at < :cutoff LIMIT "
                              + SWEEP_BATCH
                              + ")")
                      .bind("cutoff", cutoff)
                      .execute());
    } while (deleted == SWEEP_BATCH);
  }
}
