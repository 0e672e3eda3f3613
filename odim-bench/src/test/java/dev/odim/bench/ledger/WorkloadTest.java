package dev.odim.bench.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void frequenciesFollowOneOverRank() {
    Zipf zipf = new Zipf(10, 1.0);
    double harmonic = 0;
    for (int k = 1; k <= 10; k++) {
      harmonic += 1.0 / k;
    }
    int draws = 200_000;
    int[] counts = new int[10];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < draws; i++) {
      counts[zipf.sample(random)]++;
    }
    for (int rank = 0; rank < 10; rank++) {
      double expected = 1.0 / (rank + 1) / harmonic;
      assertThat(zipf.probability(rank)).isCloseTo(expected, within(1e-12));
      assertThat(counts[rank] / (double) draws).isCloseTo(expected, within(0.005));
    }
  }

  @Test
  void theBenchmarkDistributionIsSkewedAndInRange() {
    Zipf zipf = new Zipf(Mix.ACCOUNTS, Mix.ZIPF_EXPONENT);
    // H(10,000) is about 9.79: the top account takes about 10 % of draws, the top 100 about 53 %.
    assertThat(zipf.probability(0)).isCloseTo(0.102, within(0.001));
    SplittableRandom random = new SplittableRandom(7);
    int top100 = 0;
    for (int i = 0; i < 100_000; i++) {
      int rank = zipf.sample(random);
      assertThat(rank).isBetween(0, Mix.ACCOUNTS - 1);
      if (rank < 100) {
        top100++;
      }
    }
    assertThat(top100 / 100_000.0).isCloseTo(0.53, within(0.01));
  }

  @Test
  void mixesAreTheSameForEveryRunAndNeverPairAnAccountWithItself() {
    for (Mix mix : Mix.values()) {
      Mix.Picker a = mix.pickers(2)[1];
      Mix.Picker b = mix.pickers(2)[1];
      for (int i = 0; i < 10_000; i++) {
        a.next();
        b.next();
        assertThat(new long[] {a.debit, a.credit, a.amount})
            .containsExactly(b.debit, b.credit, b.amount);
        assertThat(a.debit).isNotEqualTo(a.credit);
        assertThat(a.amount).isBetween(1L, 10_000L);
      }
    }
  }

  @Test
  void idsSortAsPostgresSortsUuids() {
    UUID low = UUID.fromString("7fffffff-0000-4000-8000-000000000000");
    UUID high = UUID.fromString("80000000-0000-4000-8000-000000000000");
    assertThat(Ids.before(low, high)).isTrue();
    assertThat(Ids.before(high, low)).isFalse();
    assertThat(Ids.transfer().version()).isEqualTo(7);
    assertThat(Ids.accounts(3, 1)).containsExactly(Ids.accounts(3, 1));
  }
}
