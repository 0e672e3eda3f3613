package dev.odim.webhooks;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Which stored events to list, newest first. Build one with {@link #all()} and the with-methods.
 *
 * @param status only events in this status, or null for all
 * @param provider only this provider's events, or null for all
 * @param type only events of this type, or null for all
 * @param limit the page size, 1 to 500
 * @param beforeReceivedAt with {@code beforeId}: the last event of the previous page (keyset
 *     paging), or null for the first page
 * @param beforeId see {@code beforeReceivedAt}
 */
public record InboxQuery(
    @Nullable InboxStatus status,
    @Nullable String provider,
    @Nullable String type,
    int limit,
    @Nullable Instant beforeReceivedAt,
    @Nullable UUID beforeId) {

  /** Checks the limit and that the cursor is whole. */
  public InboxQuery {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be 1 to 500, was " + limit);
    }
    if ((beforeReceivedAt == null) != (beforeId == null)) {
      throw new IllegalArgumentException("beforeReceivedAt and beforeId go together");
    }
  }

  /** Every event, 50 a page. */
  public static InboxQuery all() {
    return new InboxQuery(null, null, null, 50, null, null);
  }

  public InboxQuery withStatus(@Nullable InboxStatus status) {
    return new InboxQuery(status, provider, type, limit, beforeReceivedAt, beforeId);
  }

  public InboxQuery withProvider(@Nullable String provider) {
    return new InboxQuery(status, provider, type, limit, beforeReceivedAt, beforeId);
  }

  public InboxQuery withType(@Nullable String type) {
    return new InboxQuery(status, provider, type, limit, beforeReceivedAt, beforeId);
  }

  public InboxQuery withLimit(int limit) {
    return new InboxQuery(status, provider, type, limit, beforeReceivedAt, beforeId);
  }

  /** The page after the one that ended with {@code last}. */
  public InboxQuery after(InboxEvent last) {
    return new InboxQuery(status, provider, type, limit, last.receivedAt(), last.id());
  }
}
