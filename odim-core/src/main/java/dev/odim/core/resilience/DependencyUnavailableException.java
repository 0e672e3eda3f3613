package dev.odim.core.resilience;

import dev.odim.core.OdimException;
import java.io.Serial;
import java.time.Duration;

/**
 * A call was rejected without reaching the dependency: its circuit breaker is open, or its bulkhead
 * is full. Rejection is immediate (after at most the bulkhead's wait), so callers can answer fast,
 * e.g. with a 503 and a {@code Retry-After} of {@link #retryAfter()}.
 */
public class DependencyUnavailableException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  /** Why the call was rejected. */
  public enum Reason {
    /** Recent calls failed too often; the breaker lets no call through until its delay passes. */
    CIRCUIT_OPEN,
    /** The maximum number of concurrent calls was reached and no permit came free in time. */
    BULKHEAD_FULL
  }

  private final String dependency;
  private final Reason reason;
  private final Duration retryAfter;

  public DependencyUnavailableException(
      String dependency, Reason reason, Duration retryAfter, Throwable cause) {
    super(
        dependency
            + " is unavailable ("
            + reason.name().toLowerCase(java.util.Locale.ROOT)
            + "); retry after "
            + retryAfter,
        cause);
    this.dependency = dependency;
    this.reason = reason;
    this.retryAfter = retryAfter;
  }

  /** The dependency's name, as given to {@link Resilience#builder(String)}. */
  public String dependency() {
    return dependency;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * For an open circuit, the time left until the breaker lets a trial call through; for a full
   * bulkhead, {@link Duration#ZERO} (a permit may come free at any moment).
   */
  public Duration retryAfter() {
    return retryAfter;
  }
}
