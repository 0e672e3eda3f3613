package dev.odim.uploads.client;

import dev.odim.core.OdimConfigException;
import java.time.Duration;

/**
 * How the client retries a request that failed in a way another try may fix: a connection error or
 * timeout, a 5xx, {@code 423 Locked} (another request still holds the upload), {@code 429 Too Many
 * Requests}, {@code 408}, a {@code 409} offset conflict or a {@code 460} checksum mismatch. Before
 * retrying a chunk the client asks the server for its offset ({@code HEAD}), so it never re-sends
 * what the server already holds.
 *
 * <p>Attempts are counted per step and start again after every step that made progress: a long
 * upload over a flaky network survives many breaks as long as each retry moves it forward. Before
 * retry {@code n} it waits a random time between zero and {@code min(maxDelay, baseDelay *
 * 2^(n-1))} ("full jitter", which spreads many clients' retries instead of synchronizing them), or
 * exactly the server's {@code Retry-After} when it sent one. A {@code Retry-After} longer than
 * {@code maxDelay} ends the retries: waiting minutes inside a call would only hide an outage.
 *
 * @param maxAttempts attempts of one step including the first; 1 means no retries
 * @param baseDelay the backoff before the first retry, before jitter
 * @param maxDelay the cap on any wait, including a server's {@code Retry-After}
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

  /**
   * 8 attempts, 250 ms doubling up to 30 s: rides out a server restart or a short network outage
   * (about a minute of waiting in all), then gives up.
   */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, Duration.ofMillis(250), Duration.ofSeconds(30));

  /** One attempt, no retries. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  /** Checks the settings. */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new OdimConfigException("retry.maxAttempts", "must be at least 1, was " + maxAttempts);
    }
    if (baseDelay.isNegative()) {
      throw new OdimConfigException("retry.baseDelay", "must not be negative, was " + baseDelay);
    }
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new OdimConfigException(
          "retry.maxDelay", "must be at least baseDelay " + baseDelay + ", was " + maxDelay);
    }
  }

  /**
   * The ceiling of the wait before retry {@code retry} (1 for the first), before jitter: {@code
   * min(maxDelay, baseDelay * 2^(retry-1))}, without overflowing however large {@code retry} is.
   */
  public Duration ceiling(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry counts from 1, was " + retry);
    }
    long base = baseDelay.toNanos();
    long max = maxDelay.toNanos();
    int shift = retry - 1;
    if (base == 0) {
      return Duration.ZERO;
    }
    if (shift >= 62 || base > (max >> shift)) {
      return maxDelay;
    }
    return Duration.ofNanos(Math.min(max, base << shift));
  }

  /**
   * The wait before retry {@code retry}: {@code uniform} (drawn from [0, 1)) of its {@link
   * #ceiling}.
   */
  public Duration delay(int retry, double uniform) {
    if (!(uniform >= 0 && uniform < 1)) {
      throw new IllegalArgumentException("uniform must be in [0, 1), was " + uniform);
    }
    return Duration.ofNanos((long) (ceiling(retry).toNanos() * uniform));
  }
}
