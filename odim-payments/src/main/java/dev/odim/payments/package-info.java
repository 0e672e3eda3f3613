/**
 * Payments settled atomically into the ledger. A {@link dev.odim.payments.PaymentIntent} is what a
 * payer owes a creator under one provider reference; {@link dev.odim.payments.Payments#settle}
 * turns the provider's word that it was paid into exactly one settlement — intent marked succeeded,
 * ledger entry posted, the host's fulfilment applied — in one database transaction, however many
 * paths (webhook, the payer's return, reconciliation) call it and however often.
 */
@NullMarked
package dev.odim.payments;

import org.jspecify.annotations.NullMarked;
