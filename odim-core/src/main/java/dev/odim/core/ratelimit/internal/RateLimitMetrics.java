package dev.odim.core.ratelimit.internal;

import dev.odim.core.ratelimit.RatePolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/** The counter {@code odim_rate_limited_total} by policy; does nothing without a registry. */
public final class RateLimitMetrics {
  private final @Nullable MeterRegistry registry;

  public RateLimitMetrics(@Nullable MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts one request refused under {@code policy}. */
  public void limited(RatePolicy policy) {
    if (registry != null) {
      // Registered on the refusal path only; Micrometer returns the existing counter by id.
      Counter.builder("odim_rate_limited_total")
          .description("Requests refused by a rate limit or a failure lock-out")
          .tag("policy", policy.name())
          .register(registry)
          .increment();
    }
  }
}
