package dev.odim.core;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered ids: UUID version 7 (RFC 9562), whose first 48 bits are the Unix time in
 * milliseconds, so ids sort by creation time and index well as primary keys.
 *
 * <p>Ids from one instance are strictly increasing, also within one millisecond and across threads:
 * the 12-bit {@code rand_a} field holds a counter (RFC 9562 section 6.2, method 1) that starts at a
 * random value below 2048 each millisecond. When more than the remaining counter values are asked
 * for within one millisecond, or the clock steps back, the id borrows the next millisecond rather
 * than repeat or go backwards, so the embedded timestamp can run slightly ahead of the clock under
 * bursts. The 62 bits of {@code rand_b} come from a {@link SecureRandom}, so ids are hard to guess,
 * but they are not secrets.
 *
 * <p>Ordering holds for {@link UUID#compareTo(UUID)} (which compares signed halves) until the year
 * 6429, when the 48-bit timestamp's top bit becomes set. Use one instance per process (or per
 * clock); two instances give unique but not mutually ordered ids within a millisecond.
 */
public final class Ids {
  private static final int COUNTER_BITS = 12;
  private static final long MAX_TIMESTAMP = (1L << 48) - 1;

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** The last issued {@code unix_ts_ms << 12 | counter}; every new id takes a larger value. */
  private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);

  /** Ids whose timestamps come from {@code clock}. */
  public Ids(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Same as {@link #Ids(Clock)}. */
  public static Ids withClock(Clock clock) {
    return new Ids(clock);
  }

  /** The next id: later than every id this instance returned before. */
  public UUID next() {
    long millis = clock.millis();
    if (millis < 0 || millis > MAX_TIMESTAMP) {
      throw new IllegalStateException("clock time " + millis + " ms does not fit UUIDv7");
    }
    // A random start below half the counter range keeps ids unguessable within a millisecond
    // and leaves at least 2048 increments before the counter borrows the next millisecond.
    long candidate = millis << COUNTER_BITS | ThreadLocalRandom.current().nextLong(1 << 11);
    long state = last.updateAndGet(previous -> Math.max(candidate, previous + 1));
    long msb = (state >>> COUNTER_BITS) << 16 | 0x7000L | (state & ((1L << COUNTER_BITS) - 1));
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /**
   * The creation time embedded in a version 7 UUID, to the millisecond.
   *
   * @throws IllegalArgumentException if {@code id} is not a version 7 UUID with the RFC variant
   */
  public static Instant timestampOf(UUID id) {
    if (id.version() != 7 || id.variant() != 2) {
      throw new IllegalArgumentException("not a UUIDv7: " + id);
    }
    return Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16);
  }
}
