package dev.odim.payments;

import dev.odim.core.Money;

/** The platform's share of a payment, fixed when the intent is created. */
@FunctionalInterface
public interface FeePolicy {

  /** The fee for {@code payment}: zero to its whole amount, in its currency. */
  Money feeFor(NewPayment payment);

  /**
   * A share in basis points (1/100 of a percent) of the amount, rounded down: 1000 is 10%. Money
   * stays integral (rule 1 of DESIGN.md); the creator receives the remainder.
   */
  static FeePolicy basisPoints(int basisPoints) {
    if (basisPoints < 0 || basisPoints > 10_000) {
      throw new IllegalArgumentException("basis points must be 0 to 10000, was " + basisPoints);
    }
    return payment -> {
      long minor = Math.multiplyExact(payment.amount().minor(), (long) basisPoints) / 10_000;
      return Money.of(minor, payment.amount().currency());
    };
  }
}
