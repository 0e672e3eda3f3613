package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared store (Redis) that falls back to a local one while it is unavailable, so that rate
 * limiting degrades to per-instance limits instead of failing or blocking every request.
 *
 * <pre>{@code
 * RateLimitStore store =
 *     FallbackRateLimitStore.builder(RedisRateLimitStore.builder(redisUrl).build())
 *         .coolDown(Duration.ofSeconds(5))
 *         .build();
 * store.health(); // StoreHealth[degraded=true, reason=..., since=...] while Redis is down
 * }</pre>
 *
 * <h2>How it degrades and recovers</h2>
 *
 * <ul>
 *   <li>When the primary throws {@link RateLimitStoreUnavailableException} (it gives up within its
 *       own timeout), the call is decided by the fallback, the store becomes degraded, {@link
 *       #health()} says so and one WARN is logged.
 *   <li>While degraded, calls go straight to the fallback without touching the primary, so a down
 *       Redis costs requests nothing. Once per {@link Builder#coolDown(Duration) cool-down} (by the
 *       injected clock) one call tries the primary again; the others keep using the fallback.
 *   <li>When that call succeeds, the store is healthy again and one INFO is logged.
 * </ul>
 *
 * Limits counted in the fallback are not carried over to the primary when it comes back, nor the
 * other way: for one cool-down around each transition a client may get up to one extra quota. That
 * is the price of never blocking on a dependency that a rate limiter only protects.
 *
 * <p>Any other exception (a bad key, a bug) reaches the caller unchanged.
 */
public final class FallbackRateLimitStore implements RateLimitStore {
  private static final Logger log = LoggerFactory.getLogger(FallbackRateLimitStore.class);

  private final RateLimitStore primary;
  private final RateLimitStore fallback;
  private final Clock clock;
  private final Duration coolDown;
  private final AtomicReference<@Nullable Degraded> degraded = new AtomicReference<>();

  /** Why and since when the store is degraded, and when the primary may next be tried. */
  private record Degraded(String reason, Instant since, Instant retryAt) {}

  private FallbackRateLimitStore(Builder builder, RateLimitStore fallback) {
    this.primary = builder.primary;
    this.fallback = fallback;
    this.clock = builder.clock;
    this.coolDown = builder.coolDown;
  }

  /** A builder over {@code primary}, by default falling back to an in-memory store. */
  public static Builder builder(RateLimitStore primary) {
    return new Builder(primary);
  }

  @Override
  public Consumption tryConsume(String key, RatePolicy policy, long tokens) {
    return call(store -> store.tryConsume(key, policy, tokens));
  }

  @Override
  public long consumeUpTo(String key, RatePolicy policy, long tokens) {
    return call(store -> store.consumeUpTo(key, policy, tokens));
  }

  @Override
  public BucketLevel level(String key, RatePolicy policy) {
    return call(store -> store.level(key, policy));
  }

  @Override
  public void reset(String key, RatePolicy policy) {
    call(
        store -> {
          store.reset(key, policy);
          return Boolean.TRUE;
        });
    // A bucket the fallback kept during an outage must not outlive a reset either.
    fallback.reset(key, policy);
  }

  @Override
  public StoreHealth health() {
    Degraded state = degraded.get();
    return state == null
        ? StoreHealth.healthy()
        : StoreHealth.degraded(state.reason(), state.since());
  }

  @Override
  public void close() {
    try {
      primary.close();
    } finally {
      fallback.close();
    }
  }

  @Override
  public String toString() {
    return primary + " falling back to " + fallback;
  }

  private <T> T call(Function<RateLimitStore, T> operation) {
    Degraded state = degraded.get();
    if (state != null) {
      Instant now = clock.instant();
      // Only the call that moves retryAt forward tries the primary; the rest stay local.
      if (now.isBefore(state.retryAt())
          || !degraded.compareAndSet(
              state, new Degraded(state.reason(), state.since(), now.plus(coolDown)))) {
        return operation.apply(fallback);
      }
    }
    T result;
    try {
      result = operation.apply(primary);
    } catch (RateLimitStoreUnavailableException e) {
      degrade(e);
      return operation.apply(fallback);
    }
    recover();
    return result;
  }

  private void degrade(RateLimitStoreUnavailableException failure) {
    Instant now = clock.instant();
    Degraded fresh = new Degraded(describe(failure), now, now.plus(coolDown));
    if (degraded.compareAndSet(null, fresh)) {
      log.warn(
          "Rate limiting degraded to per-instance limits: {}. Retrying {} every {} s.",
          fresh.reason(),
          primary,
          coolDown.toSeconds(),
          failure);
    }
  }

  private void recover() {
    Degraded state = degraded.get();
    if (state != null && degraded.compareAndSet(state, null)) {
      log.info(
          "Rate limiting shares limits through {} again, after {} s on per-instance limits.",
          primary,
          Duration.between(state.since(), clock.instant()).toSeconds());
    }
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }

  /** Settings of a {@link FallbackRateLimitStore}. */
  public static final class Builder {
    private final RateLimitStore primary;
    private @Nullable RateLimitStore fallback;
    private Clock clock = Clock.systemUTC();
    private Duration coolDown = Duration.ofSeconds(5);

    private Builder(RateLimitStore primary) {
      this.primary = Objects.requireNonNull(primary, "primary");
    }

    /**
     * Where calls go while the primary is down; an in-memory store on the same clock by default.
     */
    public Builder fallback(RateLimitStore fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
      return this;
    }

    /**
     * How long to stay on the fallback before trying the primary again; 5 s by default, at least 1
     * ms. Short enough that shared limits come back soon after Redis does, long enough that a down
     * Redis is tried by one request in thousands.
     */
    public Builder coolDown(Duration coolDown) {
      this.coolDown = Objects.requireNonNull(coolDown, "coolDown");
      return this;
    }

    /** The clock for the cool-down (and the default fallback's buckets); the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The store.
     *
     * @throws OdimConfigException naming a bad setting
     */
    public FallbackRateLimitStore build() {
      if (coolDown.compareTo(Duration.ofMillis(1)) < 0) {
        throw new OdimConfigException("coolDown", "must be at least 1 ms, was " + coolDown);
      }
      RateLimitStore local =
          fallback != null ? fallback : InMemoryRateLimitStore.builder().clock(clock).build();
      return new FallbackRateLimitStore(this, local);
    }
  }
}
