package dev.odim.bench;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a run may use.
 *
 * @param quick whether the run must finish within 60 seconds
 * @param environment the process environment ({@code DATABASE_URL}, {@code REDIS_URL})
 */
public record BenchOptions(boolean quick, Map<String, String> environment) {

  /** How long one measured round of a scenario lasts. */
  public Duration round() {
    return quick ? Duration.ofSeconds(3) : Duration.ofSeconds(15);
  }

  /** How many measured rounds each scenario gets; rounds of compared scenarios alternate. */
  public int rounds() {
    return quick ? 3 : 5;
  }

  /** {@code DATABASE_URL}, or null to use an embedded PostgreSQL. */
  public @Nullable String databaseUrl() {
    String url = environment.get("DATABASE_URL");
    return url == null || url.isBlank() ? null : url;
  }

  /** {@code REDIS_URL}, or null to use an embedded Redis. */
  public @Nullable String redisUrl() {
    String url = environment.get("REDIS_URL");
    return url == null || url.isBlank() ? null : url;
  }
}
