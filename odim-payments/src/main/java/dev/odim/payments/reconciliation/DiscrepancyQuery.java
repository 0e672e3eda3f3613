package dev.odim.payments.reconciliation;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Which discrepancies to list, newest first; every filter is optional.
 *
 * @param status only these, or null for all
 * @param kind only this kind, or null
 * @param subject only this subject, or null
 * @param reference only this reference, or null
 * @param runId only those this run found, or null
 * @param cursor the {@link DiscrepancyPage#nextCursor()} of the page before, or null for the first
 * @param limit at most this many, 1 to 500
 */
public record DiscrepancyQuery(
    @Nullable DiscrepancyStatus status,
    @Nullable Category kind,
    @Nullable Subject subject,
    @Nullable String reference,
    @Nullable UUID runId,
    @Nullable String cursor,
    int limit) {

  public DiscrepancyQuery {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be 1 to 500, was " + limit);
    }
  }

  /** Every discrepancy, 50 per page. */
  public static DiscrepancyQuery all() {
    return new DiscrepancyQuery(null, null, null, null, null, null, 50);
  }

  /** The open ones, 50 per page. */
  public static DiscrepancyQuery open() {
    return all().status(DiscrepancyStatus.OPEN);
  }

  public DiscrepancyQuery status(@Nullable DiscrepancyStatus status) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }

  public DiscrepancyQuery kind(@Nullable Category kind) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }

  public DiscrepancyQuery subject(@Nullable Subject subject) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }

  public DiscrepancyQuery reference(@Nullable String reference) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }

  public DiscrepancyQuery runId(@Nullable UUID runId) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }

  public DiscrepancyQuery cursor(@Nullable String cursor) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }

  public DiscrepancyQuery limit(int limit) {
    return new DiscrepancyQuery(status, kind, subject, reference, runId, cursor, limit);
  }
}
