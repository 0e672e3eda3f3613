package dev.odim.testkit.paystack;

import java.util.Locale;
import java.util.Optional;

/**
 * How a person's payment on the checkout page ends, or how a pending transfer or refund settles
 * when the simulator is told to wait (see {@link PaystackSimulator.Builder#settlePayoutsManually}).
 */
public enum Outcome {
  /** Paid (a transaction), paid out (a transfer) or processed (a refund). */
  SUCCESS,
  /** Declined (a transaction), failed (a transfer or refund). */
  FAILED,
  /** The person left the checkout page without paying; transactions only. */
  ABANDONED,
  /** A transfer that was paid and then came back; transfers only. */
  REVERSED;

  /** The outcome named {@code name} as the control API spells it ({@code "success"}), if any. */
  public static Optional<Outcome> parse(String name) {
    for (Outcome outcome : values()) {
      if (outcome.wireName().equals(name)) {
        return Optional.of(outcome);
      }
    }
    return Optional.empty();
  }

  /** The name the control API uses, e.g. {@code "success"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
