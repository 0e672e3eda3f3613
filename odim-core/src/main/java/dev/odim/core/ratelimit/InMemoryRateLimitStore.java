package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import dev.odim.core.ratelimit.internal.Buckets;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Buckets in this JVM's memory: exact and fast, for one instance, and the fallback of a shared
 * store while it is down.
 *
 * <pre>{@code
 * RateLimitStore store = InMemoryRateLimitStore.builder().clock(clock).build();
 * }</pre>
 *
 * <h2>Memory</h2>
 *
 * A bucket that has refilled to full is removed, since a new bucket starts full and would decide
 * exactly the same: forgetting it loses nothing. Removal happens in a sweep over all buckets at
 * most once per {@link Builder#sweepEvery(Duration) sweep interval} (default one minute), run by
 * whichever call first finds the interval has passed, so the store needs no thread of its own and
 * follows the injected clock. Memory is therefore bounded by the keys seen within the sweep
 * interval plus the longest refill time, not by every key ever seen. (Bucket4j's own expiring local
 * cache needs Caffeine; this sweep needs nothing, and is exact because it removes only full
 * buckets.)
 */
public final class InMemoryRateLimitStore implements RateLimitStore {
  private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();
  private final Clock clock;
  private final TimeMeter time;
  private final long sweepEveryMillis;
  private final AtomicLong nextSweep;

  private record Entry(RatePolicy policy, Bucket bucket) {}

  private InMemoryRateLimitStore(Builder builder) {
    this.clock = builder.clock;
    this.time = Buckets.timeMeter(clock);
    this.sweepEveryMillis = builder.sweepEvery.toMillis();
    this.nextSweep = new AtomicLong(clock.millis() + sweepEveryMillis);
  }

  /** A builder with the system clock and a one-minute sweep. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Consumption tryConsume(String key, RatePolicy policy, long tokens) {
    Buckets.checkTokens(tokens);
    return withBucket(key, policy, bucket -> Buckets.tryConsume(bucket, tokens));
  }

  @Override
  public long consumeUpTo(String key, RatePolicy policy, long tokens) {
    Buckets.checkTokens(tokens);
    return withBucket(key, policy, bucket -> bucket.tryConsumeAsMuchAsPossible(tokens));
  }

  @Override
  public BucketLevel level(String key, RatePolicy policy) {
    return withBucket(key, policy, bucket -> Buckets.level(bucket, policy));
  }

  @Override
  public void reset(String key, RatePolicy policy) {
    Buckets.checkKey(key);
    buckets.remove(Buckets.key(policy, key));
  }

  @Override
  public void close() {
    buckets.clear();
  }

  /** How many buckets are held now; for tests of the sweep. */
  int size() {
    return buckets.size();
  }

  /**
   * Runs {@code operation} on the bucket inside the map's per-key lock, so that a sweep can never
   * remove a bucket between a caller finding it and taking from it (which would lose that take and
   * let one more request through).
   */
  private <T> T withBucket(String key, RatePolicy policy, Function<Bucket, T> operation) {
    Buckets.checkKey(key);
    Objects.requireNonNull(policy, "policy");
    sweepIfDue();
    var result =
        new Object() {
          T value;
        };
    buckets.compute(
        Buckets.key(policy, key),
        (k, entry) -> {
          if (entry == null || !entry.policy().equals(policy)) {
            entry = new Entry(policy, newBucket(policy));
          }
          result.value = operation.apply(entry.bucket());
          return entry;
        });
    return result.value;
  }

  private Bucket newBucket(RatePolicy policy) {
    return Bucket.builder()
        .addLimit(Buckets.configuration(policy).getBandwidths()[0])
        .withCustomTimePrecision(time)
        .build();
  }

  private void sweepIfDue() {
    long now = clock.millis();
    long due = nextSweep.get();
    if (now < due || !nextSweep.compareAndSet(due, now + sweepEveryMillis)) {
      return;
    }
    for (String key : buckets.keySet()) {
      buckets.computeIfPresent(
          key,
          (k, entry) ->
              entry.bucket().getAvailableTokens() >= entry.policy().capacity() ? null : entry);
    }
  }

  /** Settings of an {@link InMemoryRateLimitStore}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration sweepEvery = Duration.ofMinutes(1);

    private Builder() {}

    /** The clock that buckets refill by; the system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How often full buckets are removed, at least one second; one minute by default, which keeps
     * the sweep's cost (one pass over the map) negligible next to the requests between sweeps.
     */
    public Builder sweepEvery(Duration interval) {
      this.sweepEvery = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * The store.
     *
     * @throws OdimConfigException naming a bad setting
     */
    public InMemoryRateLimitStore build() {
      if (sweepEvery.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new OdimConfigException("sweepEvery", "must be at least 1 s, was " + sweepEvery);
      }
      return new InMemoryRateLimitStore(this);
    }
  }
}
