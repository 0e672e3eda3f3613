package dev.odim.core.ratelimit;

/**
 * Where the token buckets live: the SPI under {@link RateLimiter} and {@link FailureBackoff}. Each
 * bucket is named by a policy and a key and configured by the policy; a store creates a bucket full
 * on first use and may forget a full bucket at any time, since a new one would be the same.
 *
 * <p>Implementations: {@link InMemoryRateLimitStore} (one instance), {@link RedisRateLimitStore}
 * (shared by every instance on the same Redis) and {@link FallbackRateLimitStore} (a shared store
 * that falls back to a local one while the shared one is down). Each runs the contract suite {@code
 * RateLimitStoreContract} from this module's tests jar; a new implementation should too.
 *
 * <p>Every operation is atomic per bucket, safe from many threads and, for a shared store, from
 * many instances. A store that cannot reach its backend throws {@link
 * RateLimitStoreUnavailableException}, promptly; it never waits without a bound.
 */
public interface RateLimitStore extends AutoCloseable {

  /**
   * Takes {@code tokens} from the bucket if it holds that many, otherwise takes nothing.
   *
   * @param key the client, account or other thing being limited; not blank
   * @param tokens at least 1
   */
  Consumption tryConsume(String key, RatePolicy policy, long tokens);

  /**
   * Takes as many of {@code tokens} as the bucket holds, up to all of them, and returns how many it
   * took.
   */
  long consumeUpTo(String key, RatePolicy policy, long tokens);

  /** How full the bucket is, without taking anything. */
  BucketLevel level(String key, RatePolicy policy);

  /** Forgets the bucket, so that it starts full again. */
  void reset(String key, RatePolicy policy);

  /** Whether the store works as configured; a degraded store still decides, on a weaker basis. */
  default StoreHealth health() {
    return StoreHealth.healthy();
  }

  /** Releases connections and memory; the store must not be used afterwards. */
  @Override
  default void close() {}
}
