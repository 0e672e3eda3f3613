package dev.odim.payments;

import dev.odim.core.Money;

/** What {@link Payouts#request} did; expected outcomes are values, not exceptions. */
public sealed interface PayoutResult {

  /** The payout was recorded, its amount held, and its sending queued. */
  record Requested(Payout payout) implements PayoutResult {}

  /** A payout with this reference and the same fields exists: the request was a retry. */
  record Exists(Payout payout) implements PayoutResult {}

  /** A payout with this reference and other fields exists; nothing was written. */
  record ExistsWithDifferentFields(Payout payout) implements PayoutResult {}

  /**
   * The creator's available balance does not cover the amount; nothing was written.
   *
   * @param requested what was asked for
   * @param available what the balance had available when asked
   */
  record InsufficientBalance(Money requested, Money available) implements PayoutResult {}
}
