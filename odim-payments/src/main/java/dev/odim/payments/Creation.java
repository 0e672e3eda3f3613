package dev.odim.payments;

/** What {@link Payments#create} did; the same reference is never created twice. */
public sealed interface Creation {
  /** The intent the call is about. */
  PaymentIntent intent();

  /** A new intent. */
  record Created(PaymentIntent intent) implements Creation {}

  /** The same reference with the same fields existed: the request was a retry. */
  record Exists(PaymentIntent intent) implements Creation {}

  /** The reference exists with other fields; nothing was written. */
  record ExistsWithDifferentFields(PaymentIntent intent) implements Creation {}
}
