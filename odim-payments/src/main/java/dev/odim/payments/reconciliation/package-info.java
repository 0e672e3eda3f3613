/**
 * Reconciliation of Paystack's records against ours. {@link
 * dev.odim.payments.reconciliation.Reconciliation} runs over a time window (hourly through
 * odim-queue, or on demand): it copies the provider's transactions and transfers page by page into
 * PostgreSQL, matches them with our payment intents and payouts by reference, classifies every pair
 * ({@link dev.odim.payments.reconciliation.Category}), repairs what is safe to repair through the
 * same {@code settle} path as webhooks, checks each creator's ledger balance against their
 * payments, payouts and refunds, and records everything else as a {@link
 * dev.odim.payments.reconciliation.Discrepancy} for a person to resolve.
 */
@NullMarked
package dev.odim.payments.reconciliation;

import org.jspecify.annotations.NullMarked;
