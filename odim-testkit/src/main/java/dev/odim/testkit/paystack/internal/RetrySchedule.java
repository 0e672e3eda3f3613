package dev.odim.testkit.paystack.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * Paystack's webhook retry schedule: a delivery not answered 200 is tried again every 3 minutes for
 * the first 4 tries, then hourly for the next 72 hours. Read as: attempts 1 to 4 are 3 minutes
 * apart, then 72 more attempts an hour apart, 76 in all, after which the delivery is given up.
 */
public final class RetrySchedule {
  /** Attempts made 3 minutes apart. */
  public static final int QUICK_TRIES = 4;

  /** Hourly attempts after the quick ones. */
  public static final int HOURLY_TRIES = 72;

  /** Every attempt the schedule allows, the first one included. */
  public static final int MAX_ATTEMPTS = QUICK_TRIES + HOURLY_TRIES;

  private RetrySchedule() {}

  /**
   * How long to wait, in Paystack's time, after {@code attemptsMade} failed attempts; empty when
   * the schedule is exhausted.
   */
  public static Optional<Duration> delayAfter(int attemptsMade) {
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade must be at least 1");
    }
    if (attemptsMade < QUICK_TRIES) {
      return Optional.of(Duration.ofMinutes(3));
    }
    if (attemptsMade < MAX_ATTEMPTS) {
      return Optional.of(Duration.ofHours(1));
    }
    return Optional.empty();
  }

  /**
   * {@code paystackTime} shrunk so that one Paystack minute lasts {@code minute}: with a minute of
   * 10 ms, the 3-minute retry waits 30 ms and the hourly one 600 ms.
   */
  public static Duration compress(Duration paystackTime, Duration minute) {
    double factor = minute.toNanos() / (double) Duration.ofMinutes(1).toNanos();
    return Duration.ofNanos(Math.round(paystackTime.toNanos() * factor));
  }
}
