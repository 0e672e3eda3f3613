package dev.odim.core.resilience;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.ExecutionContext;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Policy;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import dev.failsafe.TimeoutExceededException;
import dev.failsafe.function.CheckedRunnable;
import dev.failsafe.function.CheckedSupplier;
import dev.odim.core.OdimConfigException;
import dev.odim.core.resilience.DependencyUnavailableException.Reason;
import dev.odim.core.resilience.internal.ResilienceMetrics;
import dev.odim.core.resilience.internal.ResilienceMetrics.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Calls to one dependency, guarded by a timeout per attempt, retries, a circuit breaker and a
 * bulkhead, each optional, and measured in Micrometer. Build one per dependency and share it: the
 * breaker and bulkhead only work if every call to the dependency goes through the same instance.
 *
 * <pre>{@code
 * Resilience paystack = Resilience.forHttpDependency("paystack").meterRegistry(registry).build();
 * Transaction tx = paystack.get(() -> client.verify(reference));
 * }</pre>
 *
 * <h2>Order</h2>
 *
 * The policies wrap the call as {@code Retry(CircuitBreaker(Timeout(Bulkhead(call))))}, with a
 * per-call fallback ({@link #get(CheckedSupplier, Function)}) outside them all:
 *
 * <ul>
 *   <li>the bulkhead is innermost, so an attempt holds a permit only while it runs, and an open
 *       circuit rejects a call before it takes or waits for one;
 *   <li>the timeout bounds each attempt rather than the whole call (a wait for a permit counts
 *       toward it), and the breaker sees a slow attempt as a failure;
 *   <li>the breaker is inside the retries, so every attempt is judged by it and a retry that finds
 *       the circuit open stops at once instead of sleeping and trying again;
 *   <li>the fallback is outermost, so it sees the final outcome after all retries.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * An unchecked exception from the call reaches the caller unchanged after the last attempt. The
 * caller gets {@link DependencyUnavailableException} when the circuit is open or the bulkhead full,
 * {@link DependencyTimeoutException} when the last attempt timed out, and {@link
 * DependencyFailedException} around a checked exception.
 *
 * <h2>Metrics</h2>
 *
 * With {@link Builder#meterRegistry(MeterRegistry)}, each tagged {@code dependency}: counter {@code
 * odim.resilience.calls} (tag {@code outcome}: {@code success}, {@code failure}, {@code rejected}),
 * timer {@code odim.resilience.call.duration} (same tags), counters {@code
 * odim.resilience.retries}, {@code odim.resilience.timeouts} and {@code
 * odim.resilience.bulkhead.rejected}, and gauge {@code odim.circuit.breaker.state} (0 closed, 1
 * half-open, 2 open).
 *
 * <h2>Time</h2>
 *
 * Failsafe measures delays with {@link System#nanoTime()} and sleeps for real; it takes no {@link
 * java.time.Clock}, so tests of code that uses a {@code Resilience} should configure small delays
 * rather than move a clock.
 */
public final class Resilience {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]*");

  private final String dependency;
  private final FailsafeExecutor<@Nullable Object> executor;
  private final @Nullable CircuitBreaker<@Nullable Object> breaker;
  private final @Nullable Duration timeout;
  private final @Nullable Bulkhead bulkhead;
  private final ResilienceMetrics metrics;

  private Resilience(
      String dependency,
      FailsafeExecutor<@Nullable Object> executor,
      @Nullable CircuitBreaker<@Nullable Object> breaker,
      @Nullable Duration timeout,
      @Nullable Bulkhead bulkhead,
      ResilienceMetrics metrics) {
    this.dependency = dependency;
    this.executor = executor;
    this.breaker = breaker;
    this.timeout = timeout;
    this.bulkhead = bulkhead;
    this.metrics = metrics;
  }

  /**
   * A builder with no policies for the dependency named {@code dependency} (lowercase, e.g. {@code
   * paystack}; used as the metrics tag).
   */
  public static Builder builder(String dependency) {
    return new Builder(dependency);
  }

  /**
   * The platform's defaults for a dependency reached over HTTP, such as Paystack:
   *
   * <ul>
   *   <li>timeout 10 s per attempt: Paystack answers in well under a second when healthy, and a
   *       request that has not answered in 10 s is better retried on a fresh connection;
   *   <li>3 attempts, backoff from 200 ms capped at 5 s with full jitter, retrying every failure
   *       and timeout (callers narrow {@code retryOn} to what is safe to repeat: our calls carry
   *       our reference, so a repeated charge or transfer is recognised by the provider);
   *   <li>circuit breaker opening when 10 of the last 20 calls failed (half of 20, and never before
   *       10 calls), open for 30 s, closing after 1 successful trial;
   *   <li>bulkhead of 50 concurrent calls, rejecting at once when full, so a slow dependency cannot
   *       take every request thread.
   * </ul>
   *
   * Change any of them on the returned builder before {@link Builder#build()}.
   */
  public static Builder forHttpDependency(String dependency) {
    return builder(dependency)
        .timeout(Duration.ofSeconds(10))
        .retry(RetrySettings.of(3, Duration.ofMillis(200), Duration.ofSeconds(5)))
        .circuitBreaker(CircuitBreakerSettings.failures(10, 20).openFor(Duration.ofSeconds(30)))
        .bulkhead(50, Duration.ZERO);
  }

  /** The dependency's name. */
  public String dependency() {
    return dependency;
  }

  /** The circuit breaker's state; {@link CircuitState#CLOSED} when there is no breaker. */
  public CircuitState circuitState() {
    if (breaker == null) {
      return CircuitState.CLOSED;
    }
    return switch (breaker.getState()) {
      case CLOSED -> CircuitState.CLOSED;
      case HALF_OPEN -> CircuitState.HALF_OPEN;
      case OPEN -> CircuitState.OPEN;
    };
  }

  /**
   * Runs {@code call} under the policies and returns its result.
   *
   * @throws DependencyUnavailableException if the circuit is open or the bulkhead full
   * @throws DependencyTimeoutException if the last attempt timed out
   * @throws DependencyFailedException if the last attempt threw a checked exception
   */
  public <T extends @Nullable Object> T get(CheckedSupplier<T> call) {
    long start = System.nanoTime();
    try {
      T result = executor.get(guarded(call));
      metrics.called(Outcome.SUCCESS, start);
      return result;
    } catch (RuntimeException e) {
      throw translate(e, start);
    }
  }

  /**
   * Runs {@code call} under the policies; when it fails in the end (including rejection), returns
   * {@code fallback} applied to the exception {@link #get(CheckedSupplier)} would have thrown.
   */
  public <T extends @Nullable Object> T get(
      CheckedSupplier<T> call, Function<? super RuntimeException, ? extends T> fallback) {
    try {
      return get(call);
    } catch (RuntimeException e) {
      return fallback.apply(e);
    }
  }

  /** Runs {@code call} under the policies; fails as {@link #get(CheckedSupplier)} does. */
  public void run(CheckedRunnable call) {
    get(
        () -> {
          call.run();
          return null;
        });
  }

  /**
   * Runs {@code call} under the policies on the common fork-join pool (which also waits out the
   * retry delays); the future fails as {@link #get(CheckedSupplier)} would throw.
   */
  public <T extends @Nullable Object> CompletableFuture<T> getAsync(CheckedSupplier<T> call) {
    long start = System.nanoTime();
    CompletableFuture<T> future = executor.getAsync(guarded(call));
    return future.handle(
        (result, failure) -> {
          if (failure == null) {
            metrics.called(Outcome.SUCCESS, start);
            return result;
          }
          Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
          if (cause instanceof RuntimeException runtime) {
            throw translate(runtime, start);
          }
          metrics.called(Outcome.FAILURE, start);
          throw new DependencyFailedException(dependency, cause == null ? failure : cause);
        });
  }

  private <T extends @Nullable Object> CheckedSupplier<T> guarded(CheckedSupplier<T> call) {
    Bulkhead permits = bulkhead;
    return permits == null ? call : () -> permits.call(call);
  }

  /**
   * At most so many calls at once, on a {@link Semaphore}. Written by hand rather than Failsafe's
   * {@code Bulkhead}: under a burst of rejections Failsafe 3.3.2's bulkhead stopped giving permits
   * back, and refused every later call with nothing in flight (see ResilienceTest).
   */
  private record Bulkhead(Semaphore permits, Duration maxWait) {
    <T extends @Nullable Object> T call(CheckedSupplier<T> call) throws Throwable {
      if (!permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new BulkheadFullException();
      }
      try {
        return call.get();
      } finally {
        permits.release();
      }
    }
  }

  /** A call the bulkhead refused: our own limit, never the dependency failing. */
  private static final class BulkheadFullException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    BulkheadFullException() {
      super("bulkhead full", null, false, false);
    }
  }

  private RuntimeException translate(RuntimeException failure, long start) {
    switch (failure) {
      case CircuitBreakerOpenException open -> {
        metrics.called(Outcome.REJECTED, start);
        return new DependencyUnavailableException(
            dependency, Reason.CIRCUIT_OPEN, open.getCircuitBreaker().getRemainingDelay(), open);
      }
      case BulkheadFullException full -> {
        metrics.bulkheadRejected();
        metrics.called(Outcome.REJECTED, start);
        return new DependencyUnavailableException(
            dependency, Reason.BULKHEAD_FULL, Duration.ZERO, full);
      }
      case TimeoutExceededException timedOut -> {
        metrics.called(Outcome.FAILURE, start);
        return new DependencyTimeoutException(
            dependency, timedOut.getTimeout().getConfig().getTimeout(), timedOut);
      }
      case FailsafeException wrapped when wrapped.getCause() != null -> {
        metrics.called(Outcome.FAILURE, start);
        return new DependencyFailedException(dependency, wrapped.getCause());
      }
      default -> {
        metrics.called(Outcome.FAILURE, start);
        return failure;
      }
    }
  }

  @Override
  public String toString() {
    return "Resilience[" + dependency + (timeout == null ? "" : ", timeout " + timeout) + "]";
  }

  /** The state of a dependency's circuit breaker. */
  public enum CircuitState {
    /** Calls go through. */
    CLOSED,
    /** Trial calls go through; their outcome closes or reopens the breaker. */
    HALF_OPEN,
    /** Calls are rejected until the breaker's delay has passed. */
    OPEN
  }

  /** Collects the settings of a {@link Resilience}; {@link #build()} checks them all. */
  public static final class Builder {
    private final String dependency;
    private @Nullable Duration timeout;
    private @Nullable RetrySettings retry;
    private @Nullable CircuitBreakerSettings circuitBreaker;
    private int bulkheadMaxConcurrent;
    private @Nullable Duration bulkheadMaxWait;
    private boolean bulkhead;
    private @Nullable MeterRegistry meterRegistry;

    private Builder(String dependency) {
      this.dependency = dependency;
    }

    /** Bounds each attempt; the attempt's thread is interrupted when the time is up. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Retries as {@code retry} says. */
    public Builder retry(RetrySettings retry) {
      this.retry = retry;
      return this;
    }

    /** Removes the retries, e.g. from {@link #forHttpDependency(String)}'s defaults. */
    public Builder noRetry() {
      this.retry = null;
      return this;
    }

    /** Guards the dependency with a circuit breaker. */
    public Builder circuitBreaker(CircuitBreakerSettings circuitBreaker) {
      this.circuitBreaker = circuitBreaker;
      return this;
    }

    /**
     * Allows at most {@code maxConcurrent} calls at once; a call beyond that waits up to {@code
     * maxWait} for a permit and is then rejected.
     */
    public Builder bulkhead(int maxConcurrent, Duration maxWait) {
      this.bulkhead = true;
      this.bulkheadMaxConcurrent = maxConcurrent;
      this.bulkheadMaxWait = maxWait;
      return this;
    }

    /**
     * Reports metrics to {@code registry}; without one, nothing is reported. The registry keeps the
     * circuit breaker gauge (and so this instance's breaker) for its lifetime: build one {@code
     * Resilience} per dependency per registry, as a second one with the same name would share the
     * first one's meters and its gauge would keep showing the first breaker.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Checks every setting and builds the {@link Resilience}.
     *
     * @throws OdimConfigException naming the first invalid setting, e.g. {@code retry.maxAttempts}
     */
    public Resilience build() {
      if (dependency == null || !NAME.matcher(dependency).matches()) {
        throw new OdimConfigException(
            "dependency", "must be a lowercase name like paystack, was " + dependency);
      }
      List<Policy<@Nullable Object>> policies = new ArrayList<>();
      var registry = meterRegistry != null ? meterRegistry : new CompositeMeterRegistry();
      var metrics = new ResilienceMetrics(registry, dependency);

      if (retry != null) {
        policies.add(retryPolicy(retry, metrics));
      }
      CircuitBreaker<@Nullable Object> breaker = null;
      if (circuitBreaker != null) {
        breaker = breakerPolicy(circuitBreaker);
        metrics.watch(breaker);
        policies.add(breaker);
      }
      Bulkhead permits = null;
      if (bulkhead) {
        if (bulkheadMaxConcurrent < 1) {
          throw new OdimConfigException(
              "bulkhead.maxConcurrent", "must be at least 1, was " + bulkheadMaxConcurrent);
        }
        Duration maxWait = requireNotNegative("bulkhead.maxWait", bulkheadMaxWait);
        permits = new Bulkhead(new Semaphore(bulkheadMaxConcurrent), maxWait);
      }
      if (timeout != null) {
        requirePositive("timeout", timeout);
        policies.add(
            Timeout.<@Nullable Object>builder(timeout)
                .withInterrupt()
                .onFailure(event -> metrics.timedOut())
                .build());
      }
      FailsafeExecutor<@Nullable Object> executor =
          policies.isEmpty() ? Failsafe.none() : Failsafe.with(policies);
      return new Resilience(dependency, executor, breaker, timeout, permits, metrics);
    }

    private static RetryPolicy<@Nullable Object> retryPolicy(
        RetrySettings settings, ResilienceMetrics metrics) {
      if (settings.maxAttempts() < 1) {
        throw new OdimConfigException(
            "retry.maxAttempts", "must be at least 1, was " + settings.maxAttempts());
      }
      Duration base = requireNotNegative("retry.baseDelay", settings.baseDelay());
      Duration max = requireNotNegative("retry.maxDelay", settings.maxDelay());
      if (max.compareTo(base) < 0) {
        throw new OdimConfigException(
            "retry.maxDelay", "must be at least retry.baseDelay (" + base + "), was " + max);
      }
      requireSet("retry.retryOn", settings.retryOn());
      requireSet("retry.retryOnResult", settings.retryOnResult());
      var hintOf = requireSet("retry.retryAfter", settings.retryAfter());
      boolean retryOnTimeout = settings.retryOnTimeout();
      var retryOn = settings.retryOn();
      var retryOnResult = settings.retryOnResult();
      return RetryPolicy.<@Nullable Object>builder()
          .withMaxAttempts(settings.maxAttempts())
          .handleIf(
              (@Nullable Object result, @Nullable Throwable failure) -> {
                if (failure == null) {
                  return retryOnResult.test(result);
                }
                return switch (failure) {
                  case CircuitBreakerOpenException open -> false;
                  case BulkheadFullException full -> false;
                  case TimeoutExceededException timedOut -> retryOnTimeout;
                  default -> retryOn.test(failure) || hint(hintOf, failure).isPresent();
                };
              })
          .abortIf(
              (@Nullable Object result, @Nullable Throwable failure) ->
                  failure != null
                      && hint(hintOf, failure).filter(d -> d.compareTo(max) > 0).isPresent())
          .withDelayFn(context -> delay(context, base, max, hintOf))
          .onRetry(event -> metrics.retried())
          .build();
    }

    private static Optional<Duration> hint(
        Function<Throwable, Optional<Duration>> hintOf, Throwable failure) {
      return hintOf.apply(failure).filter(d -> !d.isNegative());
    }

    /** Full jitter: uniform in [0, min(max, base * 2^(attempt - 1))], or the dependency's hint. */
    private static Duration delay(
        ExecutionContext<@Nullable Object> context,
        Duration base,
        Duration max,
        Function<Throwable, Optional<Duration>> hintOf) {
      Throwable failure = context.getLastException();
      if (failure != null) {
        var hinted = hint(hintOf, failure);
        if (hinted.isPresent()) {
          return hinted.get();
        }
      }
      long maxNanos = max.toNanos();
      long ceiling = Math.min(base.toNanos(), maxNanos);
      for (int i = 1; i < context.getAttemptCount() && ceiling < maxNanos; i++) {
        ceiling = ceiling > maxNanos / 2 ? maxNanos : ceiling * 2;
      }
      return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private static CircuitBreaker<@Nullable Object> breakerPolicy(CircuitBreakerSettings settings) {
      if (settings.failureThreshold() < 1) {
        throw new OdimConfigException(
            "circuitBreaker.failureThreshold",
            "must be at least 1, was " + settings.failureThreshold());
      }
      if (settings.failureWindow() < settings.failureThreshold()) {
        throw new OdimConfigException(
            "circuitBreaker.failureWindow",
            "must be at least circuitBreaker.failureThreshold ("
                + settings.failureThreshold()
                + "), was "
                + settings.failureWindow());
      }
      requirePositive("circuitBreaker.delay", settings.delay());
      if (settings.successThreshold() < 1) {
        throw new OdimConfigException(
            "circuitBreaker.successThreshold",
            "must be at least 1, was " + settings.successThreshold());
      }
      var failureOn = requireSet("circuitBreaker.failureOn", settings.failureOn());
      return CircuitBreaker.<@Nullable Object>builder()
          .withFailureThreshold(settings.failureThreshold(), settings.failureWindow())
          .withDelay(settings.delay())
          .withSuccessThreshold(settings.successThreshold())
          .handleIf(
              (Throwable failure) ->
                  switch (failure) {
                    // a full bulkhead is our limit, not the dependency failing
                    case BulkheadFullException full -> false;
                    case TimeoutExceededException timedOut -> true;
                    default -> failureOn.test(failure);
                  })
          .build();
    }

    private static <T> T requireSet(String setting, @Nullable T value) {
      if (value == null) {
        throw new OdimConfigException(setting, "must be set");
      }
      return value;
    }

    private static Duration requireNotNegative(String setting, @Nullable Duration value) {
      if (requireSet(setting, value).isNegative()) {
        throw new OdimConfigException(setting, "must not be negative, was " + value);
      }
      return value;
    }

    private static Duration requirePositive(String setting, @Nullable Duration value) {
      if (requireSet(setting, value).isNegative() || value.isZero()) {
        throw new OdimConfigException(setting, "must be more than zero, was " + value);
      }
      return value;
    }
  }
}
