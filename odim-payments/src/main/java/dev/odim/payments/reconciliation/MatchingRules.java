package dev.odim.payments.reconciliation;

import java.time.Duration;
import java.util.Objects;

/**
 * How records are paired and judged. Records pair by exact reference (ours, which Paystack echoes).
 *
 * @param amountToleranceMinor a provider amount this close to ours (in minor units) is not an
 *     {@link Category#AMOUNT_MISMATCH}; default 0. A repair still settles only an exact amount:
 *     {@code settle} records any other as a mismatch.
 * @param dateTolerance how long after our record the provider's may be created: our records of the
 *     window's last {@code dateTolerance} are not called {@link Category#MISSING_AT_PROVIDER} yet
 *     (the next run, whose window overlaps, judges them); default 15 minutes
 * @param duplicateWindow a second paid payment of the same payer for the same purpose within this
 *     time of the first is a {@link Category#DUPLICATE}; default 24 hours (a monthly renewal is
 *     not)
 */
public record MatchingRules(
    long amountToleranceMinor, Duration dateTolerance, Duration duplicateWindow) {

  public MatchingRules {
    Objects.requireNonNull(dateTolerance, "dateTolerance");
    Objects.requireNonNull(duplicateWindow, "duplicateWindow");
    if (amountToleranceMinor < 0) {
      throw new IllegalArgumentException("amountToleranceMinor must not be negative");
    }
    if (dateTolerance.isNegative() || duplicateWindow.isNegative()) {
      throw new IllegalArgumentException("tolerances must not be negative");
    }
  }

  /** Exact amounts, 15 minutes for the provider's record to appear, duplicates within 24 hours. */
  public static MatchingRules defaults() {
    return new MatchingRules(0, Duration.ofMinutes(15), Duration.ofHours(24));
  }

  public MatchingRules amountToleranceMinor(long tolerance) {
    return new MatchingRules(tolerance, dateTolerance, duplicateWindow);
  }

  public MatchingRules dateTolerance(Duration tolerance) {
    return new MatchingRules(amountToleranceMinor, tolerance, duplicateWindow);
  }

  public MatchingRules duplicateWindow(Duration window) {
    return new MatchingRules(amountToleranceMinor, dateTolerance, window);
  }
}
