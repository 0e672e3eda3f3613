package dev.odim.queue;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A filter over dead letters, newest first, one page at a time.
 *
 * @param queue only this queue, or null for all
 * @param type only this job type, or null for all
 * @param diedAfter only jobs that died at or after this instant, or null
 * @param diedBefore only jobs that died before this instant, or null
 * @param limit page size, 1 to 1000
 * @param cursor the {@link DeadLetterPage#nextCursor()} of the previous page, or null for the first
 */
public record DeadLetterQuery(
    @Nullable String queue,
    @Nullable String type,
    @Nullable Instant diedAfter,
    @Nullable Instant diedBefore,
    int limit,
    @Nullable String cursor) {

  public DeadLetterQuery {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be 1 to 1000, was " + limit);
    }
  }

  /** Every dead letter, 100 per page. */
  public static DeadLetterQuery all() {
    return new DeadLetterQuery(null, null, null, null, 100, null);
  }

  public DeadLetterQuery queue(@Nullable String queue) {
    return new DeadLetterQuery(queue, type, diedAfter, diedBefore, limit, cursor);
  }

  public DeadLetterQuery type(@Nullable String type) {
    return new DeadLetterQuery(queue, type, diedAfter, diedBefore, limit, cursor);
  }

  public DeadLetterQuery diedBetween(@Nullable Instant after, @Nullable Instant before) {
    return new DeadLetterQuery(queue, type, after, before, limit, cursor);
  }

  public DeadLetterQuery limit(int limit) {
    return new DeadLetterQuery(queue, type, diedAfter, diedBefore, limit, cursor);
  }

  public DeadLetterQuery after(@Nullable String cursor) {
    return new DeadLetterQuery(queue, type, diedAfter, diedBefore, limit, cursor);
  }
}
