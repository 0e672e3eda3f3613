/**
 * Idempotency keys for an API's write requests, after the IETF httpapi Idempotency-Key draft and
 * Stripe's behaviour: the first request with a key runs, its response is stored with a fingerprint
 * of the request, and retries with the same key get that response replayed instead of running
 * again. See {@link dev.odim.core.idempotency.IdempotencyKeys}.
 */
@NullMarked
package dev.odim.core.idempotency;

import org.jspecify.annotations.NullMarked;
