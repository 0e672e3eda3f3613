/**
 * The built-in {@link dev.odim.webhooks.WebhookProvider}s: Paystack, Stripe and Standard Webhooks,
 * with their signature schemes, secret rotation and event keys.
 */
@NullMarked
package dev.odim.webhooks.provider;

import org.jspecify.annotations.NullMarked;
