package dev.odim.payments.paystack;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * Something about Paystack that no caller can branch its way out of: an answer that does not follow
 * Paystack's API (see {@link PaystackResponseException}), a wrong secret key, or a result that was
 * not {@link PaystackResult.Ok} where one was required ({@link PaystackResultException}).
 */
public class PaystackException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  public PaystackException(String message) {
    super(message);
  }

  public PaystackException(String message, Throwable cause) {
    super(message, cause);
  }
}
