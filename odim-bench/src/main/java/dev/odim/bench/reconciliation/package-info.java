/**
 * The {@code reconciliation} family: one reconciliation run over a window of 100,000 Paystack
 * transactions (the simulator's), with its repairs and discrepancies, and the payments paid at the
 * provider that the run neither settled nor flagged counted from the database afterwards.
 */
@NullMarked
package dev.odim.bench.reconciliation;

import org.jspecify.annotations.NullMarked;
