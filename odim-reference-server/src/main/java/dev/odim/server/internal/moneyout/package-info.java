/**
 * Money going out of creators' balances, on odim-payments' {@code Payouts}, {@code Refunds} and
 * {@code Disputes}: creators' payout requests, payout history and dashboard; admins' refunds, their
 * view of a payment and dispute resolution; and the Paystack webhooks that settle all three, each
 * with its audit entry in the event's transaction.
 */
@NullMarked
package dev.odim.server.internal.moneyout;

import org.jspecify.annotations.NullMarked;
