package dev.odim.payments;

import dev.odim.core.Money;

/** What {@link Payments#settle} did; expected outcomes are values, not exceptions. */
public sealed interface Settlement {

  /** This call settled it: intent succeeded, ledger posted, fulfilment applied. */
  record Settled(PaymentIntent intent) implements Settlement {}

  /** It was settled before (by this path or another); nothing was done again. */
  record AlreadySettled(PaymentIntent intent) implements Settlement {}

  /**
   * The provider reports another amount or currency than the intent: nothing was fulfilled, a
   * discrepancy was recorded for a person or reconciliation.
   */
  record Mismatch(PaymentIntent intent, Money expected, Money reported) implements Settlement {}

  /** The provider says it failed or was abandoned; the intent says so now too. */
  record NotPaid(PaymentIntent intent) implements Settlement {}

  /** No intent has this reference: a payment we never created. */
  record UnknownReference(String reference) implements Settlement {}
}
