/**
 * What fans buy and how it is paid: creators' tiers, fans' subscriptions, their payments through
 * Paystack (or the built-in simulator) and the settlement of those payments into the ledger by
 * odim-payments, from the webhook or the fan's return.
 */
@NullMarked
package dev.odim.server.internal.payment;

import org.jspecify.annotations.NullMarked;
