package dev.odim.core.ratelimit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Whether a {@link RateLimitStore} works as configured, for a health endpoint. A degraded store
 * still decides every request, on a weaker basis (e.g. per instance instead of shared), so a health
 * check should report it without failing the instance.
 *
 * @param degraded whether the store is running on its fallback
 * @param reason why, in a few words, when degraded
 * @param since when it became degraded
 */
public record StoreHealth(boolean degraded, @Nullable String reason, @Nullable Instant since) {
  private static final StoreHealth HEALTHY = new StoreHealth(false, null, null);

  /** Working as configured. */
  public static StoreHealth healthy() {
    return HEALTHY;
  }

  /** Degraded since {@code since} because of {@code reason}. */
  public static StoreHealth degraded(String reason, Instant since) {
    return new StoreHealth(true, reason, since);
  }
}
