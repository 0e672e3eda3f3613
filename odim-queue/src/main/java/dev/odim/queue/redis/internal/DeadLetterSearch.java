package dev.odim.queue.redis.internal;

import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.JobInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Dead-letter paging over the DEAD sorted sets. A member is the died-at millis in 15 digits, a
 * colon and the id, so lexical order is (died at, id) order in every queue alike: the time window
 * and the keyset cursor are lexical bounds, and pages of several queues merge by member.
 */
public final class DeadLetterSearch {
  private static final Pattern MEMBER = Pattern.compile("\\d{15}:[0-9a-f-]{36}");
  private static final long LAST_MILLIS = 999_999_999_999_999L;

  /** One dead job found, with the member it sorts by. */
  public record Found(String member, JobInfo job) {}

  private DeadLetterSearch() {}

  /** The upper bound for dead_page.lua: before the cursor and before {@code diedBefore}. */
  public static String upperBound(DeadLetterQuery query) {
    String bound = query.cursor() == null ? null : decodeCursor(query.cursor());
    if (query.diedBefore() != null) {
      String before = prefix(query.diedBefore());
      bound = bound == null || before.compareTo(bound) < 0 ? before : bound;
    }
    return bound == null ? "+" : "(" + bound;
  }

  /** The lower bound for dead_page.lua: at or after {@code diedAfter}. */
  public static String lowerBound(DeadLetterQuery query) {
    return query.diedAfter() == null ? "-" : "[" + prefix(query.diedAfter());
  }

  /**
   * The members of jobs that died before {@code instant} sort before this prefix. Stored times are
   * whole milliseconds, so rounding up keeps "before" exact.
   */
  public static String prefix(Instant instant) {
    long millis;
    if (instant.isBefore(Instant.EPOCH)) {
      millis = 0;
    } else if (instant.isAfter(Instant.ofEpochMilli(LAST_MILLIS))) {
      millis = LAST_MILLIS;
    } else {
      millis = instant.toEpochMilli() + (instant.getNano() % 1_000_000 == 0 ? 0 : 1);
    }
    return String.format("%015d", millis);
  }

  /**
   * One page, newest first, from what each queue found: each queue was asked for one more than the
   * page holds, so a next page exists exactly when more than {@code limit} were found.
   */
  public static DeadLetterPage page(List<Found> found, int limit) {
    List<Found> newestFirst =
        found.stream().sorted(Comparator.comparing(Found::member).reversed()).toList();
    if (newestFirst.size() <= limit) {
      return new DeadLetterPage(newestFirst.stream().map(Found::job).toList(), null);
    }
    List<Found> items = newestFirst.subList(0, limit);
    return new DeadLetterPage(
        items.stream().map(Found::job).toList(), encodeCursor(items.getLast().member()));
  }

  private static String encodeCursor(String member) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(member.getBytes(StandardCharsets.US_ASCII));
  }

  private static String decodeCursor(String cursor) {
    @Nullable String member = null;
    try {
      member = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      // reported below
    }
    if (member == null || !MEMBER.matcher(member).matches()) {
      throw new IllegalArgumentException(
          "not a dead-letter cursor of the Redis backend: \"" + cursor + "\"");
    }
    return member;
  }
}
