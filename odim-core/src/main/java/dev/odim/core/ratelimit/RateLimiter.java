package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import dev.odim.core.ratelimit.internal.RateLimitMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides, one request at a time, whether a key (a client IP, an account) is within a {@link
 * RatePolicy}. Build one per application and share it; it holds no state of its own beyond its
 * {@link RateLimitStore}.
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder().store(store).meterRegistry(registry).build();
 *
 * Decision decision = limiter.tryAcquire(RatePolicy.perClientIp(), clientIp);
 * if (!decision.allowed()) {
 *   // 429, Retry-After: decision.retryAfterSeconds()
 * }
 * }</pre>
 *
 * <h2>Failures</h2>
 *
 * A refusal is a {@link Decision}, not an exception. With a {@link FallbackRateLimitStore} (what
 * the server uses with Redis) a down Redis never reaches the caller; with a bare {@link
 * RedisRateLimitStore} it arrives as {@link RateLimitStoreUnavailableException}.
 *
 * <h2>Metrics</h2>
 *
 * With {@link Builder#meterRegistry(MeterRegistry)}: counter {@code odim_rate_limited_total}, tag
 * {@code policy}, counting refused requests.
 */
public final class RateLimiter {
  private final RateLimitStore store;
  private final RateLimitMetrics metrics;

  private RateLimiter(RateLimitStore store, RateLimitMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  /** A builder; without a store, the limiter keeps its buckets in memory. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes one request from {@code key}'s bucket under {@code policy}, if there is one left.
   *
   * @param key what is limited: a client IP, an account id; 1 to 512 characters
   * @throws RateLimitStoreUnavailableException only from a shared store without a fallback
   */
  public Decision tryAcquire(RatePolicy policy, String key) {
    Objects.requireNonNull(policy, "policy");
    Consumption taken = store.tryConsume(key, policy, 1);
    if (!taken.consumed()) {
      metrics.limited(policy);
    }
    return new Decision(
        policy, taken.consumed(), taken.remaining(), taken.untilFull(), taken.untilRefill());
  }

  /** The store's health, for a health endpoint: degraded while a shared store is down. */
  public StoreHealth health() {
    return store.health();
  }

  /** The store the limiter decides with. */
  public RateLimitStore store() {
    return store;
  }

  /** Settings of a {@link RateLimiter}. */
  public static final class Builder {
    private @Nullable RateLimitStore store;
    private @Nullable Clock clock;
    private @Nullable MeterRegistry registry;

    private Builder() {}

    /** Where the buckets live; an {@link InMemoryRateLimitStore} by default. */
    public Builder store(RateLimitStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The clock of the default in-memory store. A store keeps its own time (buckets refill by it),
     * so with {@link #store(RateLimitStore)} set the clock on the store instead.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where to count refused requests; none by default. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The limiter.
     *
     * @throws OdimConfigException if both a store and a clock were given
     */
    public RateLimiter build() {
      return new RateLimiter(storeOrDefault(store, clock), new RateLimitMetrics(registry));
    }

    static RateLimitStore storeOrDefault(@Nullable RateLimitStore store, @Nullable Clock clock) {
      if (store != null && clock != null) {
        throw new OdimConfigException(
            "clock", "the store keeps time for its buckets: set the clock on the store");
      }
      if (store != null) {
        return store;
      }
      return InMemoryRateLimitStore.builder()
          .clock(clock != null ? clock : Clock.systemUTC())
          .build();
    }
  }
}
