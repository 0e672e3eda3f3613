/**
 * Resilience presets for calls to dependencies (Paystack, object storage, Redis): a timeout per
 * attempt, retries with capped exponential backoff and full jitter, a circuit breaker and a
 * bulkhead, composed in one documented order on <a href="https://failsafe.dev">Failsafe</a> and
 * reported to Micrometer. Start with {@link dev.odim.core.resilience.Resilience#builder(String)} or
 * the platform defaults in {@link dev.odim.core.resilience.Resilience#forHttpDependency(String)}.
 */
@NullMarked
package dev.odim.core.resilience;

import org.jspecify.annotations.NullMarked;
