package dev.odim.payments.paystack.internal;

import dev.odim.core.resilience.RetryAfterException;
import java.io.Serial;
import java.time.Duration;

/**
 * A 429 (or a 5xx) with a {@code Retry-After}: the resilience policy waits that long before the
 * next attempt, or gives up at once when it is longer than its maximum delay.
 */
public final class Throttled extends RetryAfterException {
  @Serial private static final long serialVersionUID = 1L;

  private final int status;

  public Throttled(int status, String message, Duration retryAfter) {
    super(
        "Paystack answered " + status + " (retry after " + retryAfter + "): " + message,
        retryAfter);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
