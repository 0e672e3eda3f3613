package dev.odim.payments.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The refund split: whole units, each refund's parts add up, the totals end exact. */
class SharesTest {

  @Test
  void randomRefundSequencesEndWithTheShareAndTheFeeExactly() {
    SplittableRandom random = new SplittableRandom(8);
    for (int run = 0; run < 20_000; run++) {
      long amount = 1 + random.nextLong(5_000_000);
      long fee = random.nextLong(amount + 1);
      long share = amount - fee;
      long refunded = 0;
      long creator = 0;
      long feeBack = 0;
      while (refunded < amount) {
        long left = amount - refunded;
        long refund = random.nextInt(4) == 0 ? left : 1 + random.nextLong(left);
        long part = Shares.creatorPart(amount, share, refunded, creator, feeBack, refund);
        assertThat(part).isBetween(0L, refund);
        // never more than the exact pro-rata share of what was refunded so far
        assertThat((creator + part) * (double) amount)
            .isLessThanOrEqualTo((refunded + refund) * (double) share + 1e-6 * amount);
        // a failed refund (every fifth) is forgotten: its parts do not count
        if (random.nextInt(5) == 0 && refund < left) {
          continue;
        }
        refunded += refund;
        creator += part;
        feeBack += refund - part;
      }
      assertThat(creator).as("creator parts of %s with fee %s", amount, fee).isEqualTo(share);
      assertThat(feeBack).isEqualTo(fee);
    }
  }

  @Test
  void aRefundBeyondWhatIsLeftIsABug() {
    assertThatThrownBy(() -> Shares.creatorPart(100, 90, 60, 54, 6, 41))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
