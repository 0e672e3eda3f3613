/**
 * Webhook intake: verify a delivery's signature, store it durably in a de-duplicating inbox, answer
 * 200 only after that commit, and dispatch it to handlers through odim-queue. Start at {@link
 * dev.odim.webhooks.Webhooks}.
 */
@NullMarked
package dev.odim.webhooks;

import org.jspecify.annotations.NullMarked;
