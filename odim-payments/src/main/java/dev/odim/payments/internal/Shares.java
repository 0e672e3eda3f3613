package dev.odim.payments.internal;

import java.math.BigInteger;

/**
 * How a refund splits between the creator's share and the platform's fee, so that the parts stay
 * whole minor units and add up exactly.
 *
 * <p>The creator's part of everything refunded so far is {@code floor(refunded * share / amount)};
 * a refund's creator part is that figure after it minus the creator parts before it, and its fee
 * part the rest. The rounding therefore leans towards the platform's fee (the creator gives back at
 * most their exact pro-rata share, never a unit more), and once the whole amount is refunded the
 * creator parts sum to exactly the creator's share and the fee parts to exactly the fee. When an
 * earlier refund failed the running figures are the non-failed ones, and the part is kept within
 * what is left of each side, so the sums can never pass the share or the fee.
 */
public final class Shares {
  private Shares() {}

  /**
   * The creator's part of a refund of {@code refund}.
   *
   * @param amount the payment's amount
   * @param share the creator's share of it (amount minus fee)
   * @param refundedBefore the amount of earlier refunds still standing
   * @param creatorBefore their creator parts
   * @param feeBefore their fee parts
   * @param refund this refund, at most {@code amount - refundedBefore}
   */
  public static long creatorPart(
      long amount,
      long share,
      long refundedBefore,
      long creatorBefore,
      long feeBefore,
      long refund) {
    if (refund <= 0 || refund > amount - refundedBefore) {
      throw new IllegalArgumentException(
          "refund " + refund + " is not within the " + (amount - refundedBefore) + " left");
    }
    long target =
        BigInteger.valueOf(refundedBefore + refund)
            .multiply(BigInteger.valueOf(share))
            .divide(BigInteger.valueOf(amount))
            .longValueExact();
    long shareLeft = share - creatorBefore;
    long feeLeft = (amount - share) - feeBefore;
    long lowest = Math.max(0, refund - feeLeft);
    long highest = Math.min(refund, shareLeft);
    return Math.clamp(target - creatorBefore, lowest, highest);
  }
}
