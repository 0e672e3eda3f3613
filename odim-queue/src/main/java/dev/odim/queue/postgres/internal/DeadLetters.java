package dev.odim.queue.postgres.internal;

import dev.odim.core.db.Db;
import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobState;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Listing, replaying and deleting dead letters. Pages are read newest first with a keyset cursor on
 * (died_at, id), which stays valid while rows before it are replayed or discarded.
 */
public final class DeadLetters {
  private static final String UNIQUE_VIOLATION = "23505";

  private final Db db;
  private final QueueSql sql;
  private final String channel;

  public DeadLetters(Db db, QueueSql sql, String channel) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
  }

  public DeadLetterPage list(DeadLetterQuery query) {
    StringBuilder statement = new StringBuilder(sql.deadLetterListing);
    Map<String, Object> parameters = new HashMap<>();
    filter(statement, parameters, " AND queue = :queue", "queue", query.queue());
    filter(statement, parameters, " AND type = :type", "type", query.type());
    filter(
        statement,
        parameters,
        " AND died_at >= :diedAfter::timestamptz",
        "diedAfter",
        JobRows.timeOrNull(query.diedAfter()));
    filter(
        statement,
        parameters,
        " AND died_at < :diedBefore::timestamptz",
        "diedBefore",
        JobRows.timeOrNull(query.diedBefore()));
    String cursor = query.cursor();
    if (cursor != null) {
      Cursor after = Cursor.decode(cursor);
      statement.append(" AND (died_at, id) < (:cursorDiedAt::timestamptz, :cursorId)");
      parameters.put("cursorDiedAt", JobRows.time(after.diedAt()));
      parameters.put("cursorId", after.id());
    }
    statement.append(" ORDER BY died_at DESC, id DESC LIMIT :limit");
    parameters.put("limit", query.limit() + 1);
    List<JobInfo> rows =
        db.withHandle(
            handle ->
                handle
                    .createQuery(statement.toString())
                    .bindMap(parameters)
                    .map((row, context) -> JobRows.jobInfo(row, JobState.DEAD))
                    .list());
    if (rows.size() <= query.limit()) {
      return new DeadLetterPage(rows, null);
    }
    List<JobInfo> page = rows.subList(0, query.limit());
    JobInfo last = page.getLast();
    Instant diedAt = Objects.requireNonNull(last.finishedAt(), "a dead letter has died_at");
    return new DeadLetterPage(page, new Cursor(diedAt, last.id()).encode());
  }

  /**
   * Moves the dead jobs back in one statement. Two of them holding the same de-duplication key
   * would fail it as a whole, so on that conflict each is moved on its own, and the one whose key
   * is taken stays dead.
   */
  public List<UUID> replay(List<UUID> ids, Instant now) {
    if (ids.isEmpty()) {
      return List.of();
    }
    try {
      return replayTogether(ids, now);
    } catch (RuntimeException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
    }
    List<UUID> replayed = new ArrayList<>();
    for (UUID id : ids) {
      try {
        replayed.addAll(replayTogether(List.of(id), now));
      } catch (RuntimeException e) {
        if (!isUniqueViolation(e)) {
          throw e;
        }
      }
    }
    return replayed;
  }

  private List<UUID> replayTogether(List<UUID> ids, Instant now) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(sql.replay)
                .bind("ids", ids.toArray(UUID[]::new))
                .bind("now", JobRows.time(now))
                .bind("channel", channel)
                .mapTo(UUID.class)
                .list());
  }

  public int discard(List<UUID> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    return db.withHandle(
        handle -> handle.createUpdate(sql.discard).bind("ids", ids.toArray(UUID[]::new)).execute());
  }

  public int purge(Instant before) {
    return db.withHandle(
        handle ->
            handle
                .createUpdate(sql.purgeDeadLetters)
                .bind("before", JobRows.time(before))
                .execute());
  }

  private static void filter(
      StringBuilder statement,
      Map<String, Object> parameters,
      String condition,
      String name,
      @Nullable Object value) {
    if (value != null) {
      statement.append(condition);
      parameters.put(name, value);
    }
  }

  private static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** Where a page ended: the last row's death time and id, as opaque text. */
  private record Cursor(Instant diedAt, UUID id) {
    static Cursor decode(String text) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int slash = plain.indexOf('/');
        return new Cursor(
            Instant.parse(plain.substring(0, slash)), UUID.fromString(plain.substring(slash + 1)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a dead-letter cursor: \"" + text + "\"", e);
      }
    }

    String encode() {
      byte[] plain = (JobRows.time(diedAt) + "/" + id).getBytes(StandardCharsets.UTF_8);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(plain);
    }
  }
}
