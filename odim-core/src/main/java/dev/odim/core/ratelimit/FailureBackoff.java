package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import dev.odim.core.ratelimit.internal.RateLimitMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Growing lock-outs after repeated failures for one key, typically an account's sign-in: the first
 * {@code freeFailures} failures (default 5) cost nothing, then each further failure locks the key
 * for twice as long as the one before (1 s, 2 s, 4 s, ... up to 15 min by default). A success
 * forgets every failure. Failures are counted in a window (15 min by default) that opens with the
 * first one; when it ends, the count starts again from zero.
 *
 * <pre>{@code
 * FailureBackoff backoff = FailureBackoff.builder("login-account").store(store).build();
 *
 * Decision gate = backoff.check(email);
 * if (!gate.allowed()) {
 *   return tooManyAttempts(gate.retryAfterSeconds()); // 429, without checking the password
 * }
 * if (passwords.matches(email, password)) {
 *   backoff.recordSuccess(email);
 * } else {
 *   Decision after = backoff.recordFailure(email);  // may now be locked for after.retryAfter()
 * }
 * }</pre>
 *
 * <h2>How it is stored</h2>
 *
 * Two Bucket4j buckets per key in the same {@link RateLimitStore} as the rate limits, so that a
 * lock-out set by one instance holds on all of them when the store is shared:
 *
 * <ul>
 *   <li>{@code <name>-failures} counts failures: each takes a token, and the bucket refills all at
 *       once at the end of the window;
 *   <li>{@code <name>-lockout} is the lock itself, a bucket of one token per millisecond of the
 *       maximum delay, refilling one token a millisecond. A lock-out of {@code d} takes {@code d}
 *       tokens, and the key is locked until the bucket is full again, exactly {@code d} later.
 * </ul>
 *
 * A failure recorded while already locked (two attempts that passed {@link #check} at the same
 * moment) adds its delay to the lock, never beyond the maximum.
 *
 * <p>The {@link Decision}s it returns name a policy of {@code freeFailures} per {@code window}:
 * {@code remaining} is the free failures left, {@code retryAfter} the lock-out left.
 */
public final class FailureBackoff {
  private final RateLimitStore store;
  private final RatePolicy policy;
  private final RatePolicy failures;
  private final RatePolicy lockout;
  private final int freeFailures;
  private final long firstDelayMillis;
  private final long maxDelayMillis;
  private final RateLimitMetrics metrics;

  private FailureBackoff(Builder builder, RateLimitStore store) {
    this.store = store;
    this.freeFailures = builder.freeFailures;
    this.firstDelayMillis = builder.firstDelay.toMillis();
    this.maxDelayMillis = builder.maxDelay.toMillis();
    // Enough counted failures to reach the maximum delay; beyond that the count stays full and
    // the delay stays at the maximum.
    long ratio = Math.ceilDiv(maxDelayMillis, firstDelayMillis);
    int doublings = 64 - Long.numberOfLeadingZeros(ratio - 1);
    this.policy = RatePolicy.of(builder.name, Math.max(1, freeFailures), builder.window);
    this.failures =
        RatePolicy.of(builder.name + "-failures", freeFailures + doublings + 1L, builder.window)
            .refillingIntervally();
    this.lockout = RatePolicy.of(builder.name + "-lockout", maxDelayMillis, builder.maxDelay);
    this.metrics = new RateLimitMetrics(builder.registry);
  }

  /**
   * A builder for back-off named {@code name} (e.g. {@code login-account}; the same rules as a
   * policy name, at most 55 characters).
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Whether {@code key} may try now: refused while locked out, with {@link Decision#retryAfter()}
   * the lock-out left. Records nothing.
   */
  public Decision check(String key) {
    Decision decision = state(key);
    if (!decision.allowed()) {
      metrics.limited(policy);
    }
    return decision;
  }

  /**
   * Counts a failure for {@code key} and, past the free ones, locks it out for twice as long as the
   * last time (up to the maximum). Returns the key's state afterwards, as {@link #check} would (but
   * without counting it as a refused attempt: nothing was refused yet).
   */
  public Decision recordFailure(String key) {
    Consumption counted = store.tryConsume(key, failures, 1);
    long failed =
        counted.consumed() ? failures.capacity() - counted.remaining() : failures.capacity();
    if (failed > freeFailures) {
      long doublings = failed - freeFailures - 1;
      long delay =
          doublings >= Long.numberOfLeadingZeros(firstDelayMillis) - 1
              ? maxDelayMillis
              : Math.min(firstDelayMillis << doublings, maxDelayMillis);
      store.consumeUpTo(key, lockout, delay);
    }
    return state(key);
  }

  private Decision state(String key) {
    BucketLevel lock = store.level(key, lockout);
    boolean locked = lock.available() < lockout.capacity();
    BucketLevel count = store.level(key, failures);
    long failed = Math.clamp(failures.capacity() - count.available(), 0, failures.capacity());
    return new Decision(
        policy,
        !locked,
        Math.max(0, freeFailures - failed),
        count.untilFull(),
        locked ? lock.untilFull() : Duration.ZERO);
  }

  /** Forgets {@code key}'s failures and lifts any lock-out. */
  public void recordSuccess(String key) {
    store.reset(key, failures);
    store.reset(key, lockout);
  }

  /** The store's health, for a health endpoint. */
  public StoreHealth health() {
    return store.health();
  }

  /** Settings of a {@link FailureBackoff}. */
  public static final class Builder {
    private final String name;
    private @Nullable RateLimitStore store;
    private @Nullable Clock clock;
    private @Nullable MeterRegistry registry;
    private int freeFailures = 5;
    private Duration firstDelay = Duration.ofSeconds(1);
    private Duration maxDelay = Duration.ofMinutes(15);
    private Duration window = Duration.ofMinutes(15);

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** Where the counts and locks live; use the rate limiter's store so they are shared alike. */
    public Builder store(RateLimitStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The clock of the default in-memory store; with a store, set the clock on the store. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Failures allowed before the first lock-out; 5 by default, zero or more. */
    public Builder freeFailures(int freeFailures) {
      this.freeFailures = freeFailures;
      return this;
    }

    /** The first lock-out; 1 s by default, at least 1 ms. */
    public Builder firstDelay(Duration firstDelay) {
      this.firstDelay = Objects.requireNonNull(firstDelay, "firstDelay");
      return this;
    }

    /**
     * The longest lock-out; 15 min by default, at least {@code firstDelay}. Long enough that
     * guessing is hopeless (four guesses an hour), short enough that an owner locked out by an
     * attacker gets back in the same afternoon.
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
      return this;
    }

    /** How long failures are counted from the first one; 15 min by default, at least 1 ms. */
    public Builder window(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /** Where to count refused attempts ({@code odim_rate_limited_total}); none by default. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The back-off.
     *
     * @throws OdimConfigException naming a bad setting
     */
    public FailureBackoff build() {
      if (freeFailures < 0) {
        throw new OdimConfigException("freeFailures", "must be zero or more, was " + freeFailures);
      }
      if (firstDelay.compareTo(Duration.ofMillis(1)) < 0) {
        throw new OdimConfigException("firstDelay", "must be at least 1 ms, was " + firstDelay);
      }
      if (maxDelay.compareTo(firstDelay) < 0) {
        throw new OdimConfigException(
            "maxDelay", "must be at least firstDelay (" + firstDelay + "), was " + maxDelay);
      }
      if (window.compareTo(Duration.ofMillis(1)) < 0) {
        throw new OdimConfigException("window", "must be at least 1 ms, was " + window);
      }
      if (name.length() > 55) {
        throw new OdimConfigException("name", "must be at most 55 characters: " + name);
      }
      return new FailureBackoff(this, RateLimiter.Builder.storeOrDefault(store, clock));
    }
  }
}
