package dev.odim.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long a failed job waits before its next attempt: exponential growth from a base delay up to a
 * cap, with jitter so that jobs that failed together do not retry together (a retry storm).
 * Immutable, and stored with each job as its {@link #spec()} so that any worker computes the same
 * policy.
 *
 * <pre>{@code
 * Backoff.exponential(Duration.ofSeconds(2), Duration.ofHours(1)); // full jitter, the default
 * Backoff.spread(3, Duration.ofHours(24)); // the platform's "3 attempts over 24 hours"
 * }</pre>
 */
public final class Backoff {
  /** How the computed delay is randomized. */
  public enum Jitter {
    /** Uniform in [0, d]: spreads retries the most (AWS's "full jitter"). */
    FULL,
    /** Uniform in [d/2, d]: keeps at least half of the delay, so a window is really waited out. */
    EQUAL,
    /** Exactly d. */
    NONE
  }

  private static final Backoff DEFAULT =
      exponential(Duration.ofSeconds(2), Duration.ofHours(1), Jitter.FULL);

  private final Duration base;
  private final Duration cap;
  private final Jitter jitter;

  private Backoff(Duration base, Duration cap, Jitter jitter) {
    this.base = base;
    this.cap = cap;
    this.jitter = jitter;
  }

  /** The default: 2 s doubling to at most 1 h, full jitter. */
  public static Backoff defaults() {
    return DEFAULT;
  }

  /** Full-jitter exponential backoff: attempt n waits uniformly up to min(cap, base * 2^(n-1)). */
  public static Backoff exponential(Duration base, Duration cap) {
    return exponential(base, cap, Jitter.FULL);
  }

  /**
   * Exponential backoff with the given jitter.
   *
   * @throws InvalidJobException unless 1 ms <= base <= cap <= 365 days
   */
  public static Backoff exponential(Duration base, Duration cap, Jitter jitter) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(cap, "cap");
    Objects.requireNonNull(jitter, "jitter");
    if (base.toMillis() < 1) {
      throw new InvalidJobException("backoff", "base must be at least 1 ms, was " + base);
    }
    if (cap.compareTo(base) < 0 || cap.compareTo(Duration.ofDays(365)) > 0) {
      throw new InvalidJobException(
          "backoff", "cap must be between base (" + base + ") and 365 days, was " + cap);
    }
    return new Backoff(base, cap, jitter);
  }

  /**
   * Retries that spread {@code attempts} over {@code window}: the delays double and, without
   * jitter, the last attempt starts exactly {@code window} after the first; with the equal jitter
   * used here it starts between half of the window and the window. Use with {@code
   * maxAttempts(attempts)}.
   *
   * @throws InvalidJobException unless attempts is 2 to 20 and the window at least 1 s
   */
  public static Backoff spread(int attempts, Duration window) {
    Objects.requireNonNull(window, "window");
    if (attempts < 2 || attempts > 20) {
      throw new InvalidJobException("backoff", "spread needs 2 to 20 attempts, was " + attempts);
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new InvalidJobException("backoff", "spread needs a window of at least 1 s");
    }
    // base * (1 + 2 + ... + 2^(attempts-2)) = base * (2^(attempts-1) - 1) = window
    Duration base = window.dividedBy((1L << (attempts - 1)) - 1);
    Duration cap = base.multipliedBy(1L << (attempts - 2));
    return new Backoff(base, cap, Jitter.EQUAL);
  }

  /**
   * The wait after the {@code failedAttempt}-th attempt failed (1 for the first).
   *
   * @param random the source of jitter; a worker passes its own generator
   */
  public Duration delayAfter(int failedAttempt, RandomGenerator random) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("failedAttempt must be >= 1, was " + failedAttempt);
    }
    long baseMillis = base.toMillis();
    long capMillis = cap.toMillis();
    int shift = Math.min(failedAttempt - 1, 62);
    long ceiling =
        baseMillis > (capMillis >> shift) ? capMillis : Math.min(capMillis, baseMillis << shift);
    long millis =
        switch (jitter) {
          case FULL -> random.nextLong(ceiling + 1);
          case EQUAL -> ceiling / 2 + random.nextLong(ceiling - ceiling / 2 + 1);
          case NONE -> ceiling;
        };
    return Duration.ofMillis(millis);
  }

  public Duration base() {
    return base;
  }

  public Duration cap() {
    return cap;
  }

  public Jitter jitter() {
    return jitter;
  }

  /** A compact text form that {@link #parse(String)} reads back; backends store it per job. */
  public String spec() {
    return "exp:" + base.toMillis() + ":" + cap.toMillis() + ":" + jitter.name();
  }

  /**
   * Reads a {@link #spec()}.
   *
   * @throws InvalidJobException when the text is not a spec
   */
  public static Backoff parse(String spec) {
    String[] parts = spec.split(":", -1);
    try {
      if (parts.length == 4 && parts[0].equals("exp")) {
        return exponential(
            Duration.ofMillis(Long.parseLong(parts[1])),
            Duration.ofMillis(Long.parseLong(parts[2])),
            Jitter.valueOf(parts[3]));
      }
    } catch (IllegalArgumentException e) {
      // fall through to the one error below
    }
    throw new InvalidJobException("backoff", "not a backoff spec: \"" + spec + "\"");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Backoff that
        && base.equals(that.base)
        && cap.equals(that.cap)
        && jitter == that.jitter;
  }

  @Override
  public int hashCode() {
    return Objects.hash(base, cap, jitter);
  }

  @Override
  public String toString() {
    return "Backoff[" + spec() + "]";
  }
}
