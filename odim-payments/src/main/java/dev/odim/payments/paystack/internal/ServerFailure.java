package dev.odim.payments.paystack.internal;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * An attempt that got a 5xx or an I/O error: worth another attempt when the call is safe to repeat,
 * and a failure for the circuit breaker.
 */
public final class ServerFailure extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final int status;

  public ServerFailure(int status, String message) {
    super("Paystack answered " + status + ": " + message);
    this.status = status;
  }

  public ServerFailure(String message, Throwable cause) {
    super("Paystack could not be reached: " + message, cause);
    this.status = 0;
  }

  /** The HTTP status, or 0 for an I/O error. */
  public int status() {
    return status;
  }
}
