package dev.odim.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether one request may go ahead under a policy, and what to tell the client either way.
 *
 * <pre>{@code
 * Decision decision = limiter.tryAcquire(RatePolicy.perClientIp(), clientIp);
 * response.header("RateLimit-Policy", decision.policyHeader());  // "default";q=100;w=60
 * response.header("RateLimit", decision.rateLimitHeader());      // "default";r=57;t=30
 * if (!decision.allowed()) {
 *   response.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
 *   // 429 problem+json
 * }
 * }</pre>
 *
 * @param policy the policy that decided
 * @param allowed whether the request may go ahead
 * @param remaining requests still allowed now, after this one; zero or more
 * @param resetAfter how long until the bucket is full again (the whole quota is back); zero when it
 *     is full
 * @param retryAfter when refused, how long until one more request would be allowed; zero when
 *     allowed
 */
public record Decision(
    RatePolicy policy, boolean allowed, long remaining, Duration resetAfter, Duration retryAfter) {

  /** Checks the values. */
  public Decision {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(resetAfter, "resetAfter");
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (remaining < 0) {
      throw new IllegalArgumentException("remaining must not be negative: " + remaining);
    }
    if (resetAfter.isNegative() || retryAfter.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
  }

  /**
   * The {@code Retry-After} value in whole seconds, rounded up so that a client that waits it out
   * is not refused again; at least 1 when refused, 0 when allowed.
   */
  public long retryAfterSeconds() {
    return allowed ? 0 : Math.max(1, ceilSeconds(retryAfter));
  }

  /**
   * The value of the {@code RateLimit-Policy} header (draft-ietf-httpapi-ratelimit-headers): a
   * Structured Fields list item whose value is the policy name as a string, with parameters {@code
   * q} (the quota, requests per window) and {@code w} (the window in seconds, rounded up), e.g.
   * {@code "default";q=100;w=60}.
   */
  public String policyHeader() {
    return "\""
        + policy.name()
        + "\";q="
        + policy.capacity()
        + ";w="
        + ceilSeconds(policy.window());
  }

  /**
   * The value of the {@code RateLimit} header (draft-ietf-httpapi-ratelimit-headers): a Structured
   * Fields list item naming the policy, with parameters {@code r} (requests remaining) and {@code
   * t} (seconds until the quota is fully back, rounded up), e.g. {@code "default";r=57;t=30}.
   */
  public String rateLimitHeader() {
    return "\"" + policy.name() + "\";r=" + remaining + ";t=" + ceilSeconds(resetAfter);
  }

  private static long ceilSeconds(Duration duration) {
    long seconds = duration.getSeconds();
    return duration.getNano() > 0 ? seconds + 1 : seconds;
  }
}
