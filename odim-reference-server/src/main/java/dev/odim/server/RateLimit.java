package dev.odim.server;

import java.time.Duration;

/**
 * How many requests one client IP may make per window ({@code ODIM_RATE_LIMIT}, e.g. {@code
 * 100/1m}); {@link #off()} disables limiting, for load tests.
 *
 * @param requests requests allowed per window, at least 1 (0 only when off)
 * @param window the window length (zero only when off)
 */
public record RateLimit(int requests, Duration window) {
  private static final RateLimit OFF = new RateLimit(0, Duration.ZERO);

  /** The default, {@code 100/1m}. */
  public static RateLimit defaultLimit() {
    return new RateLimit(100, Duration.ofMinutes(1));
  }

  /** No limit. */
  public static RateLimit off() {
    return OFF;
  }

  /** Whether requests are limited at all. */
  public boolean enabled() {
    return requests > 0;
  }

  @Override
  public String toString() {
    return enabled() ? requests + "/" + window : "off";
  }
}
