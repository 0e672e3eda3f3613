package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import dev.odim.core.ratelimit.internal.Buckets;
import dev.odim.core.ratelimit.internal.RedisBuckets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Buckets in Redis, shared by every instance that uses the same Redis, through Bucket4j's Lettuce
 * integration (compare-and-swap of the bucket state). Needs {@code io.lettuce:lettuce-core} and
 * {@code com.bucket4j:bucket4j_jdk17-lettuce} on the class path; odim-core declares them optional.
 *
 * <pre>{@code
 * RateLimitStore shared =
 *     FallbackRateLimitStore.builder(RedisRateLimitStore.builder(System.getenv("REDIS_URL")).build())
 *         .build();
 * }</pre>
 *
 * <h2>Failures</h2>
 *
 * Every command waits at most the {@link Builder#commandTimeout(Duration) command timeout} (100 ms
 * by default: Redis answers in well under a millisecond on a healthy network, and a request must
 * not wait long for its rate limit). A store that cannot reach Redis throws {@link
 * RateLimitStoreUnavailableException} promptly; wrap it in a {@link FallbackRateLimitStore} to keep
 * deciding locally instead. Lettuce's own reconnect loop is off: a lost connection is replaced by
 * the next call, which waits for the new connection at most the command timeout, so the fallback's
 * cool-down alone decides how often a down Redis is tried. The store starts connecting when built,
 * so build it at start-up, before the first request.
 *
 * <h2>Time and memory</h2>
 *
 * Bucket4j computes refills on the client, by this store's {@link Builder#clock(Clock) clock}, so
 * instances sharing a Redis must keep their clocks in sync. Each key expires in Redis a second
 * after its bucket would be full again, so idle clients cost no memory.
 */
public final class RedisRateLimitStore implements RateLimitStore {
  private final RedisBuckets redis;

  private RedisRateLimitStore(RedisBuckets redis) {
    this.redis = redis;
  }

  /**
   * A builder for the Redis at {@code redisUri} ({@code redis://host:port/db}, or {@code rediss://}
   * for TLS, as in {@code REDIS_URL}).
   */
  public static Builder builder(String redisUri) {
    return new Builder(redisUri);
  }

  @Override
  public Consumption tryConsume(String key, RatePolicy policy, long tokens) {
    Buckets.checkKey(key);
    Buckets.checkTokens(tokens);
    return redis.withBucket(
        Buckets.key(policy, key), policy, bucket -> Buckets.tryConsume(bucket, tokens));
  }

  @Override
  public long consumeUpTo(String key, RatePolicy policy, long tokens) {
    Buckets.checkKey(key);
    Buckets.checkTokens(tokens);
    return redis.withBucket(
        Buckets.key(policy, key), policy, bucket -> bucket.tryConsumeAsMuchAsPossible(tokens));
  }

  @Override
  public BucketLevel level(String key, RatePolicy policy) {
    Buckets.checkKey(key);
    return redis.withBucket(
        Buckets.key(policy, key), policy, bucket -> Buckets.level(bucket, policy));
  }

  @Override
  public void reset(String key, RatePolicy policy) {
    Buckets.checkKey(key);
    redis.remove(Buckets.key(policy, key));
  }

  @Override
  public void close() {
    redis.close();
  }

  @Override
  public String toString() {
    return redis.toString();
  }

  /** Settings of a {@link RedisRateLimitStore}. */
  public static final class Builder {
    private final String redisUri;
    private Duration commandTimeout = Duration.ofMillis(100);
    private Clock clock = Clock.systemUTC();

    private Builder(String redisUri) {
      this.redisUri = Objects.requireNonNull(redisUri, "redisUri");
    }

    /**
     * How long one Redis command, or waiting for a connection, may take before the store gives up;
     * 100 ms by default, between 1 ms and 10 s.
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The clock that buckets refill by; the system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The store, connecting in the background; it does not fail if Redis is down now.
     *
     * @throws OdimConfigException if the URI is not a Redis URI, the timeout is out of range, or
     *     Lettuce is not on the class path
     */
    public RedisRateLimitStore build() {
      if (commandTimeout.compareTo(Duration.ofMillis(1)) < 0
          || commandTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new OdimConfigException(
            "commandTimeout", "must be between 1 ms and 10 s, was " + commandTimeout);
      }
      ClassLoader loader = Builder.class.getClassLoader();
      try {
        Class.forName("io.lettuce.core.RedisClient", false, loader);
        Class.forName("io.github.bucket4j.redis.lettuce.Bucket4jLettuce", false, loader);
      } catch (ClassNotFoundException e) {
        throw new OdimConfigException(
            "redisUri",
            "Redis rate limiting needs io.lettuce:lettuce-core and"
                + " com.bucket4j:bucket4j_jdk17-lettuce on the class path");
      }
      try {
        return new RedisRateLimitStore(new RedisBuckets(redisUri, commandTimeout, clock));
      } catch (IllegalArgumentException e) {
        // Not the parser's message: it may quote the URI, password and all.
        throw new OdimConfigException("redisUri", "not a Redis URI (redis://host:port/db)");
      }
    }
  }
}
