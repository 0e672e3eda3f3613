/**
 * Rate limiting on <a href="https://bucket4j.com">Bucket4j</a>: named {@link
 * dev.odim.core.ratelimit.RatePolicy policies} ("100 requests per minute per client IP"), a {@link
 * dev.odim.core.ratelimit.RateLimiter} that decides one request at a time, a {@link
 * dev.odim.core.ratelimit.FailureBackoff} that locks an account out for longer after each repeated
 * failure, and the {@link dev.odim.core.ratelimit.RateLimitStore} SPI that keeps the buckets: in
 * memory for one instance, in Redis so that several instances share one limit, and a fallback
 * wrapper that keeps deciding per instance while Redis is down. A {@link
 * dev.odim.core.ratelimit.Decision} carries what an HTTP layer needs for {@code 429}, {@code
 * Retry-After} and the IETF {@code RateLimit-Policy} and {@code RateLimit} headers; the HTTP layer
 * itself lives with the server.
 */
@NullMarked
package dev.odim.core.ratelimit;

import org.jspecify.annotations.NullMarked;
