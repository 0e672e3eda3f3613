package dev.odim.payments.reconciliation;

import org.jspecify.annotations.Nullable;

/**
 * Which runs to list, newest first.
 *
 * @param status only these, or null for all (e.g. {@link RunStatus#FAILED} for the alerts page)
 * @param cursor the {@link RunPage#nextCursor()} of the page before, or null for the first
 * @param limit at most this many, 1 to 500
 */
public record RunQuery(@Nullable RunStatus status, @Nullable String cursor, int limit) {

  public RunQuery {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be 1 to 500, was " + limit);
    }
  }

  /** Every run, 50 per page. */
  public static RunQuery all() {
    return new RunQuery(null, null, 50);
  }

  public RunQuery status(@Nullable RunStatus status) {
    return new RunQuery(status, cursor, limit);
  }

  public RunQuery cursor(@Nullable String cursor) {
    return new RunQuery(status, cursor, limit);
  }

  public RunQuery limit(int limit) {
    return new RunQuery(status, cursor, limit);
  }
}
