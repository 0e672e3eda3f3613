package dev.odim.core.resilience;

import dev.odim.core.OdimException;
import java.io.Serial;
import java.time.Duration;
import java.util.Optional;

/**
 * A dependency asked to be called again no sooner than {@link #retryAfter()}, e.g. an HTTP 429 or
 * 503 with a {@code Retry-After} header. Clients throw it (or a subclass) and {@link Resilience}
 * waits that long before the next attempt instead of its own backoff; a hint longer than the
 * retry's maximum delay ends the retries at once, so the caller can reschedule the work.
 */
public class RetryAfterException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public RetryAfterException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = requireNotNegative(retryAfter);
  }

  public RetryAfterException(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = requireNotNegative(retryAfter);
  }

  private static Duration requireNotNegative(Duration retryAfter) {
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
    }
    return retryAfter;
  }

  /** How long the dependency asked us to wait. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * The hint of the first {@code RetryAfterException} in {@code failure}'s cause chain, the default
   * of {@link RetrySettings#retryAfter()}.
   */
  public static Optional<Duration> hintOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RetryAfterException hint) {
        return Optional.of(hint.retryAfter());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }
}
