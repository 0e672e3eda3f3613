/**
 * Payments settled atomically into the ledger. A {@link dev.odim.payments.PaymentIntent} is what a
 * payer owes a creator under one provider reference; {@link dev.odim.payments.Payments#settle}
 * turns the provider's word that it was paid into exactly one settlement — intent marked succeeded,
 * ledger entry posted, the host's fulfilment applied — in one database transaction, however many
 * paths (webhook, the payer's return, reconciliation) call it and however often.
 *
 * <p>Money going out is held in the ledger first and settled by the provider's word: {@link
 * dev.odim.payments.Payouts} (creators' payouts), {@link dev.odim.payments.Refunds} (in full or in
 * parts, reversing the settlement in proportion) and {@link dev.odim.payments.Disputes}; their
 * provider calls are jobs on odim-queue, run by {@link dev.odim.payments.PaymentJobs}.
 */
@NullMarked
package dev.odim.payments;

import org.jspecify.annotations.NullMarked;
