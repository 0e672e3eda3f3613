package dev.odim.payments.paystack;

import java.io.Serial;

/**
 * Paystack (or whatever answers at the base URI) sent something the client cannot read: not JSON,
 * no {@code data}, a required field missing or of the wrong type. Reported with the HTTP status and
 * the path of the offending field, never as a {@link NullPointerException} later on.
 */
public final class PaystackResponseException extends PaystackException {
  @Serial private static final long serialVersionUID = 1L;

  private final int status;

  public PaystackResponseException(int status, String message) {
    super("unreadable Paystack answer (HTTP " + status + "): " + message);
    this.status = status;
  }

  public PaystackResponseException(int status, String message, Throwable cause) {
    super("unreadable Paystack answer (HTTP " + status + "): " + message, cause);
    this.status = status;
  }

  /** The HTTP status of the unreadable answer. */
  public int status() {
    return status;
  }
}
