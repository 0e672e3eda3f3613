package dev.odim.queue.postgres.internal;

import dev.odim.core.db.Db;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobState;
import dev.odim.queue.QueueCounts;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** What the admin service and the worker's gauges read: counts, queue names and single jobs. */
public final class QueueReads {
  private final Db db;
  private final QueueSql sql;

  public QueueReads(Db db, QueueSql sql) {
    this.db = db;
    this.sql = sql;
  }

  /**
   * Waiting counts every due job, including one whose lease expired (it is due again), so that the
   * four states add up to the queue's content.
   */
  public QueueCounts counts(String queue, Instant now) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(sql.counts)
                .bind("queue", queue)
                .bind("now", JobRows.time(now))
                .map(
                    (row, context) -> {
                      OffsetDateTime oldestDue = row.getObject("oldest_due", OffsetDateTime.class);
                      Duration oldestWaiting =
                          oldestDue == null
                              ? Duration.ZERO
                              : Duration.between(oldestDue.toInstant(), now);
                      return new QueueCounts(
                          queue,
                          row.getLong("waiting"),
                          row.getLong("scheduled"),
                          row.getLong("running"),
                          row.getLong("dead"),
                          oldestWaiting.isNegative() ? Duration.ZERO : oldestWaiting);
                    })
                .one());
  }

  public List<String> queues() {
    return db.withHandle(handle -> handle.createQuery(sql.queues).mapTo(String.class).list());
  }

  public Optional<JobInfo> job(UUID id, Instant now) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(sql.job)
                .bind("id", id)
                .map(
                    (row, context) ->
                        JobRows.jobInfo(
                            row,
                            row.getString("reason") != null
                                ? JobState.DEAD
                                : JobRows.liveState(row, now)))
                .findFirst());
  }
}
