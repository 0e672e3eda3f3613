package dev.odim.payments;

import dev.odim.core.Money;

/** What {@link Refunds#request} did; expected outcomes are values, not exceptions. */
public sealed interface RefundResult {

  /** The refund was recorded, the creator's part held, and its sending queued. */
  record Requested(PaymentRefund refund) implements RefundResult {}

  /** A refund with this reference and the same fields exists: the request was a retry. */
  record Exists(PaymentRefund refund) implements RefundResult {}

  /** A refund with this reference and other fields exists; nothing was written. */
  record ExistsWithDifferentFields(PaymentRefund refund) implements RefundResult {}

  /** No payment has this reference; nothing was written. */
  record UnknownPayment(String paymentReference) implements RefundResult {}

  /**
   * The payment is not in a state that can be refunded (not settled, fully refunded, or disputed);
   * nothing was written.
   */
  record NotRefundable(PaymentIntent intent) implements RefundResult {}

  /**
   * The amount is more than what is left to refund (the payment's amount minus every refund that
   * has not failed); nothing was written.
   */
  record ExceedsRefundable(Money requested, Money refundable) implements RefundResult {}

  /**
   * The creator's available balance does not cover their part of the refund (it was paid out);
   * nothing was written.
   */
  record InsufficientCreatorBalance(Money creatorPart, Money available) implements RefundResult {}
}
