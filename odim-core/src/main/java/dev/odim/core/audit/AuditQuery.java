package dev.odim.core.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which audit entries to list, newest first. Filters combine with AND; a null filter matches
 * everything.
 *
 * <pre>{@code
 * AuditPage page = audit.query(AuditQuery.builder()
 *     .actionPrefix("payment")            // payment, payment.succeeded, payment.refund.failed ...
 *     .outcome(Outcome.FAILURE)
 *     .from(Instant.parse("2026-12-01T00:00:00Z"))
 *     .limit(100)
 *     .build());
 * }</pre>
 *
 * @param action only this exact action
 * @param actionPrefix only this action and those under it: {@code payment} matches {@code payment}
 *     and {@code payment.succeeded} but not {@code payments.x}
 * @param actor only this actor
 * @param target only this target
 * @param outcome only this outcome
 * @param from only entries at or after this instant
 * @param to only entries before this instant
 * @param limit the most entries on a page, 1 to {@link #MAX_LIMIT}; default {@link #DEFAULT_LIMIT}
 * @param cursor the {@link AuditPage#nextCursor()} of the previous page, or null for the first
 */
public record AuditQuery(
    @Nullable String action,
    @Nullable String actionPrefix,
    @Nullable String actor,
    @Nullable String target,
    @Nullable Outcome outcome,
    @Nullable Instant from,
    @Nullable Instant to,
    int limit,
    @Nullable String cursor) {

  /** The page size when none is given. */
  public static final int DEFAULT_LIMIT = 50;

  /** The largest page. */
  public static final int MAX_LIMIT = 500;

  /**
   * Validates the query.
   *
   * @throws IllegalArgumentException naming the first bad filter
   */
  public AuditQuery {
    if (action != null && actionPrefix != null) {
      throw new IllegalArgumentException("give action or actionPrefix, not both");
    }
    if (action != null && action.isBlank()) {
      throw new IllegalArgumentException("action must be null or not blank");
    }
    if (actionPrefix != null && actionPrefix.isBlank()) {
      throw new IllegalArgumentException("actionPrefix must be null or not blank");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to, were " + from + " and " + to);
    }
  }

  /** Starts a query that matches everything, {@link #DEFAULT_LIMIT} entries a page. */
  public static Builder builder() {
    return new Builder();
  }

  /** The newest {@link #DEFAULT_LIMIT} entries. */
  public static AuditQuery latest() {
    return builder().build();
  }

  /** Collects filters; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private @Nullable String action;
    private @Nullable String actionPrefix;
    private @Nullable String actor;
    private @Nullable String target;
    private @Nullable Outcome outcome;
    private @Nullable Instant from;
    private @Nullable Instant to;
    private int limit = DEFAULT_LIMIT;
    private @Nullable String cursor;

    private Builder() {}

    /** Only this exact action. */
    public Builder action(@Nullable String action) {
      this.action = action;
      return this;
    }

    /** Only this action and the actions under it ({@code payment} → {@code payment.*}). */
    public Builder actionPrefix(@Nullable String actionPrefix) {
      this.actionPrefix = actionPrefix;
      return this;
    }

    /** Only this actor. */
    public Builder actor(@Nullable String actor) {
      this.actor = actor;
      return this;
    }

    /** Only this target. */
    public Builder target(@Nullable String target) {
      this.target = target;
      return this;
    }

    /** Only this outcome. */
    public Builder outcome(@Nullable Outcome outcome) {
      this.outcome = outcome;
      return this;
    }

    /** Only entries at or after {@code from}. */
    public Builder from(@Nullable Instant from) {
      this.from = from;
      return this;
    }

    /** Only entries before {@code to}. */
    public Builder to(@Nullable Instant to) {
      this.to = to;
      return this;
    }

    /** The page size, 1 to {@link #MAX_LIMIT}. */
    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /** Continues after the page that returned this cursor. */
    public Builder cursor(@Nullable String cursor) {
      this.cursor = cursor;
      return this;
    }

    /**
     * The query.
     *
     * @throws IllegalArgumentException naming the first bad filter
     */
    public AuditQuery build() {
      return new AuditQuery(action, actionPrefix, actor, target, outcome, from, to, limit, cursor);
    }
  }
}
