package dev.odim.payments.paystack.internal;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * Thrown instead of sending a call that is not safe to repeat a second time, after an attempt that
 * may have reached Paystack got no clear answer; never retried.
 */
public final class OutcomeUnknown extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  public OutcomeUnknown(String message) {
    super(message);
  }
}
