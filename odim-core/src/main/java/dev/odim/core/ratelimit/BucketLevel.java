package dev.odim.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * How full a bucket is, read by {@link RateLimitStore#level}.
 *
 * @param available tokens in the bucket; negative when the bucket is in debt (tokens were forced
 *     out of it, as {@link FailureBackoff} does for a lock-out)
 * @param untilFull how long until the bucket is full again; zero when it is full
 */
public record BucketLevel(long available, Duration untilFull) {

  /** Checks the values. */
  public BucketLevel {
    Objects.requireNonNull(untilFull, "untilFull");
    if (untilFull.isNegative()) {
      throw new IllegalArgumentException("untilFull must not be negative: " + untilFull);
    }
  }
}
