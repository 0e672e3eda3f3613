package dev.odim.payments.paystack;

import java.io.Serial;

/**
 * A result other than {@link PaystackResult.Ok} where the caller asked for the answer ({@link
 * PaystackResult#orElseThrow()}, or a page of {@link PaystackClient#iterate} that could not be
 * fetched).
 */
public final class PaystackResultException extends PaystackException {
  @Serial private static final long serialVersionUID = 1L;

  private final transient PaystackResult<?> result;

  public PaystackResultException(PaystackResult<?> result) {
    super("Paystack call did not succeed: " + result);
    this.result = result;
  }

  /** The result that was not {@link PaystackResult.Ok}. */
  public PaystackResult<?> result() {
    return result;
  }
}
