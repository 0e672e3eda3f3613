package dev.odim.core.resilience;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * When a {@link Resilience}'s circuit breaker opens and how it recovers: it opens when {@code
 * failureThreshold} of the last {@code failureWindow} calls failed, rejects every call for {@code
 * delay}, then lets trial calls through (half-open) and closes after {@code successThreshold} of
 * them succeed; one failed trial opens it again. Timeouts always count as failures; a full bulkhead
 * never does (the dependency did not fail). Settings are checked by {@link
 * Resilience.Builder#build()}.
 *
 * @param failureThreshold failures that open the breaker; at least 1
 * @param failureWindow the number of most recent calls those failures are counted in; at least
 *     {@code failureThreshold}
 * @param delay how long the breaker stays open; more than zero
 * @param successThreshold successful trial calls that close it again; at least 1
 * @param failureOn which exceptions count as failures of the dependency (not, say, a 4xx answer)
 */
public record CircuitBreakerSettings(
    int failureThreshold,
    int failureWindow,
    Duration delay,
    int successThreshold,
    Predicate<Throwable> failureOn) {

  /**
   * Open when {@code failureThreshold} of the last {@code failureWindow} calls failed, for 30
   * seconds, closing after one successful trial; every exception counts as a failure.
   */
  public static CircuitBreakerSettings failures(int failureThreshold, int failureWindow) {
    return new CircuitBreakerSettings(
        failureThreshold, failureWindow, Duration.ofSeconds(30), 1, failure -> true);
  }

  /** These settings with the breaker staying open for {@code delay}. */
  public CircuitBreakerSettings openFor(Duration delay) {
    return new CircuitBreakerSettings(
        failureThreshold, failureWindow, delay, successThreshold, failureOn);
  }

  /** These settings, closing after {@code successThreshold} successful trial calls. */
  public CircuitBreakerSettings successThreshold(int successThreshold) {
    return new CircuitBreakerSettings(
        failureThreshold, failureWindow, delay, successThreshold, failureOn);
  }

  /** These settings, counting only exceptions that {@code failureOn} accepts as failures. */
  public CircuitBreakerSettings failureOn(Predicate<Throwable> failureOn) {
    return new CircuitBreakerSettings(
        failureThreshold, failureWindow, delay, successThreshold, failureOn);
  }
}
