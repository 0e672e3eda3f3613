package dev.odim.payments.paystack;

import java.io.Serial;

/**
 * Paystack answered 401: the secret key is missing, malformed or wrong. A setup error, so an
 * exception rather than a result; it neither retries nor counts against the circuit breaker.
 */
public final class PaystackAuthenticationException extends PaystackException {
  @Serial private static final long serialVersionUID = 1L;

  public PaystackAuthenticationException(String message) {
    super("Paystack refused the secret key: " + message);
  }
}
