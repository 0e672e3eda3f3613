package dev.odim.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link RateLimitStore#tryConsume} did.
 *
 * @param consumed whether the tokens were taken
 * @param remaining tokens left in the bucket afterwards; zero or more
 * @param untilRefill when not consumed, how long until the bucket holds the requested tokens; zero
 *     when consumed
 * @param untilFull how long until the bucket is full again; zero when it is full
 */
public record Consumption(
    boolean consumed, long remaining, Duration untilRefill, Duration untilFull) {

  /** Checks the values. */
  public Consumption {
    Objects.requireNonNull(untilRefill, "untilRefill");
    Objects.requireNonNull(untilFull, "untilFull");
    if (remaining < 0 || untilRefill.isNegative() || untilFull.isNegative()) {
      throw new IllegalArgumentException(
          "negative " + remaining + ", " + untilRefill + ", " + untilFull);
    }
  }
}
