package dev.odim.webhooks.provider;

import dev.odim.core.OdimConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The replay window shared by the timestamped schemes. */
final class Tolerance {
  private Tolerance() {}

  static final Duration MAX = Duration.ofDays(1);

  /** Throws naming the {@code tolerance} setting when it is under a second or over a day. */
  static void validate(Duration tolerance) {
    Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.getSeconds() < 1 || tolerance.compareTo(MAX) > 0) {
      throw new OdimConfigException(
          "tolerance", "must be at least 1 second and at most 1 day, was " + tolerance);
    }
  }

  /**
   * Null when {@code signedSeconds} is within {@code tolerance} of {@code now} in either direction
   * (a timestamp exactly at the edge is inside), else why not. Compares in seconds, the resolution
   * the providers sign, so that sub-second clock noise cannot move the edge.
   */
  static @Nullable String check(long signedSeconds, Instant now, Duration tolerance) {
    long age = now.getEpochSecond() - signedSeconds;
    long limit = tolerance.getSeconds();
    if (age > limit) {
      return "is " + age + " s old, more than the " + limit + " s tolerance";
    }
    if (-age > limit) {
      return "is " + -age + " s in the future, more than the " + limit + " s tolerance";
    }
    return null;
  }

  /** Unix seconds fit in 11 digits until the year 5138; more is not a timestamp. */
  private static final int MAX_TIMESTAMP_DIGITS = 11;

  /** The decimal digits of a Unix time in seconds, or null: no sign, no fraction, no spaces. */
  static @Nullable Long unixSeconds(String value) {
    if (value.isEmpty() || value.length() > MAX_TIMESTAMP_DIGITS) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    return Long.parseLong(value);
  }
}
