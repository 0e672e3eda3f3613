package dev.odim.queue.postgres.internal;

import dev.odim.queue.Backoff;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobState;
import dev.odim.queue.spi.LeasedJob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Reading job rows, and the one way instants are written to PostgreSQL. */
final class JobRows {
  private JobRows() {}

  /**
   * An instant as PostgreSQL stores it: truncated to the microsecond, here rather than rounded by
   * the server, so that a job due at {@code t} is due for a lease at {@code t} too.
   */
  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS).toString();
  }

  static @Nullable String timeOrNull(@Nullable Instant instant) {
    return instant == null ? null : time(instant);
  }

  static Instant instant(ResultSet row, String column) throws SQLException {
    return row.getObject(column, OffsetDateTime.class).toInstant();
  }

  static LeasedJob leasedJob(ResultSet row) throws SQLException {
    Long timeoutMillis = row.getObject("timeout_ms", Long.class);
    return new LeasedJob(
        row.getObject("id", UUID.class),
        row.getString("queue"),
        row.getString("type"),
        row.getString("payload"),
        row.getInt("attempts"),
        row.getInt("max_attempts"),
        Backoff.parse(row.getString("backoff")),
        timeoutMillis == null ? null : Duration.ofMillis(timeoutMillis),
        row.getString("ordering_key"),
        instant(row, "created_at"),
        row.getObject("lease_token", UUID.class),
        row.getString("lease_worker"),
        instant(row, "leased_at"));
  }

  /**
   * The state of a live job at {@code now}. A job whose lease expired is due again, so it counts as
   * waiting, as in the queue's counts.
   */
  static JobState liveState(ResultSet row, Instant now) throws SQLException {
    if (!instant(row, "run_at").isAfter(now)) {
      return JobState.WAITING;
    }
    return row.getBoolean("leased") ? JobState.RUNNING : JobState.SCHEDULED;
  }

  /** A row of {@code jobs} or {@code dead_letters} as the admin service shows it. */
  static JobInfo jobInfo(ResultSet row, JobState state) throws SQLException {
    OffsetDateTime diedAt = row.getObject("died_at", OffsetDateTime.class);
    return new JobInfo(
        row.getObject("id", UUID.class),
        row.getString("queue"),
        row.getString("type"),
        row.getString("payload"),
        state,
        row.getInt("priority"),
        instant(row, "run_at"),
        row.getInt("attempts"),
        row.getInt("max_attempts"),
        row.getString("dedup_key"),
        row.getString("ordering_key"),
        instant(row, "created_at"),
        AttemptHistory.parse(row.getString("history")),
        row.getString("reason"),
        diedAt == null ? null : diedAt.toInstant());
  }
}
