package dev.odim.core.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Resilience} retries: up to {@code maxAttempts} attempts in all, waiting a random
 * time between zero and {@code min(maxDelay, baseDelay * 2^(attempt - 1))} before each retry ("full
 * jitter", which spreads the retries of many callers instead of synchronizing them), or exactly the
 * dependency's retry-after hint when it gave one.
 *
 * <p>A failure is retried when it is a timeout of one attempt (unless {@code retryOnTimeout} is
 * false), when {@code retryOn} accepts it, or when it carries a retry-after hint; a result is
 * retried when {@code retryOnResult} accepts it. An open circuit or full bulkhead is never retried:
 * the caller learns at once. A hint longer than {@code maxDelay} ends the retries and the failure
 * reaches the caller, which can reschedule the work (waiting minutes inside a request would hold a
 * thread and a connection for nothing). Settings are checked by {@link Resilience.Builder#build()}.
 *
 * @param maxAttempts attempts including the first; 1 means no retries
 * @param baseDelay the backoff before the first retry, before jitter; zero or more
 * @param maxDelay the cap on any backoff; at least {@code baseDelay}
 * @param retryOn which failures are worth another attempt
 * @param retryOnResult which results are worth another attempt (e.g. a "pending" status)
 * @param retryOnTimeout whether an attempt that timed out is retried
 * @param retryAfter reads a dependency's retry-after hint from a failure
 */
public record RetrySettings(
    int maxAttempts,
    Duration baseDelay,
    Duration maxDelay,
    Predicate<Throwable> retryOn,
    Predicate<@Nullable Object> retryOnResult,
    boolean retryOnTimeout,
    Function<Throwable, Optional<Duration>> retryAfter) {

  /**
   * Retry every failure and timeout, no result, and honour {@link RetryAfterException} hints.
   *
   * @param maxAttempts attempts including the first
   * @param baseDelay the backoff before the first retry
   * @param maxDelay the cap on any backoff
   */
  public static RetrySettings of(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    return new RetrySettings(
        maxAttempts,
        baseDelay,
        maxDelay,
        failure -> true,
        result -> false,
        true,
        RetryAfterException::hintOf);
  }

  /** These settings, retrying only failures that {@code retryOn} accepts. */
  public RetrySettings retryOn(Predicate<Throwable> retryOn) {
    return new RetrySettings(
        maxAttempts, baseDelay, maxDelay, retryOn, retryOnResult, retryOnTimeout, retryAfter);
  }

  /** These settings, also retrying results that {@code retryOnResult} accepts. */
  public RetrySettings retryOnResult(Predicate<@Nullable Object> retryOnResult) {
    return new RetrySettings(
        maxAttempts, baseDelay, maxDelay, retryOn, retryOnResult, retryOnTimeout, retryAfter);
  }

  /**
   * These settings, retrying timed-out attempts or not; turn off for calls that are not idempotent.
   */
  public RetrySettings retryOnTimeout(boolean retryOnTimeout) {
    return new RetrySettings(
        maxAttempts, baseDelay, maxDelay, retryOn, retryOnResult, retryOnTimeout, retryAfter);
  }

  /** These settings, reading retry-after hints with {@code retryAfter}. */
  public RetrySettings retryAfter(Function<Throwable, Optional<Duration>> retryAfter) {
    return new RetrySettings(
        maxAttempts, baseDelay, maxDelay, retryOn, retryOnResult, retryOnTimeout, retryAfter);
  }
}
