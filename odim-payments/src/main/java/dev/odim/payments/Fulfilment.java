package dev.odim.payments;

import org.jdbi.v3.core.Handle;

/**
 * The host's business effect of a settled payment (activate the subscription, confirm the booking),
 * run in the settlement's own transaction: if it throws, nothing of the settlement stands and the
 * caller retries.
 */
@FunctionalInterface
public interface Fulfilment {
  /** Does nothing; for hosts that only want the ledger posting. */
  Fulfilment NONE = (handle, intent) -> {};

  void fulfil(Handle handle, PaymentIntent intent);
}
