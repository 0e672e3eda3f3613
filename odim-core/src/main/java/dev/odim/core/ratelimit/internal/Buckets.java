package dev.odim.core.ratelimit.internal;

import dev.odim.core.ratelimit.BucketLevel;
import dev.odim.core.ratelimit.Consumption;
import dev.odim.core.ratelimit.RatePolicy;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** What every Bucket4j-backed store does the same way: configuration, keys, time and probes. */
public final class Buckets {
  /** Every bucket key starts with this, so that rate-limit keys are easy to find in Redis. */
  public static final String KEY_PREFIX = "odim:rl:";

  private Buckets() {}

  /** {@code odim:rl:<policy>:<key>}. */
  public static String key(RatePolicy policy, String key) {
    return KEY_PREFIX + policy.name() + ":" + key;
  }

  /** Checks a caller's key: not blank, and short enough not to bloat Redis or memory. */
  public static String checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isBlank() || key.length() > 512) {
      throw new IllegalArgumentException("key must be 1 to 512 characters, not blank");
    }
    return key;
  }

  /** Checks a token count: Bucket4j takes at least one. */
  public static long checkTokens(long tokens) {
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens must be at least 1, was " + tokens);
    }
    return tokens;
  }

  /** The Bucket4j configuration of one policy: one bandwidth, starting full. */
  public static BucketConfiguration configuration(RatePolicy policy) {
    return BucketConfiguration.builder()
        .addLimit(
            limit -> {
              var capacity = limit.capacity(policy.capacity());
              return switch (policy.refill()) {
                case GREEDY -> capacity.refillGreedy(policy.capacity(), policy.window());
                case INTERVALLY -> capacity.refillIntervally(policy.capacity(), policy.window());
              };
            })
        .build();
  }

  /**
   * Bucket4j's time source reading {@code clock}, so that tests move bucket time with a settable
   * clock. Wall-clock based: buckets shared through Redis are computed by each instance's clock, so
   * instances must keep their clocks in sync (NTP), as they must for everything else.
   */
  public static TimeMeter timeMeter(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return Math.addExact(
            Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  /** Takes tokens if the bucket holds them. */
  public static Consumption tryConsume(Bucket bucket, long tokens) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(tokens);
    return new Consumption(
        probe.isConsumed(),
        Math.max(0, probe.getRemainingTokens()),
        probe.isConsumed() ? Duration.ZERO : nanos(probe.getNanosToWaitForRefill()),
        nanos(probe.getNanosToWaitForReset()));
  }

  /** How full the bucket is, asking for its whole capacity to learn how long until it is full. */
  public static BucketLevel level(Bucket bucket, RatePolicy policy) {
    EstimationProbe probe = bucket.estimateAbilityToConsume(policy.capacity());
    return new BucketLevel(
        probe.getRemainingTokens(),
        probe.canBeConsumed() ? Duration.ZERO : nanos(probe.getNanosToWaitForRefill()));
  }

  private static Duration nanos(long nanos) {
    // Bucket4j answers Long.MAX_VALUE for "never"; a Duration of that many nanos is ~292 years.
    return Duration.ofNanos(Math.max(0, nanos));
  }
}
