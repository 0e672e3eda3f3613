package dev.odim.bench.ledger;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks 0..n-1 drawn with probability proportional to {@code 1 / (rank + 1)^exponent}: a few
 * accounts get most of the traffic. The cumulative distribution is computed once; a draw is one
 * uniform number and a binary search.
 */
final class Zipf {
  private final double[] cumulative;

  Zipf(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be positive, was " + n);
    }
    if (!(exponent >= 0)) {
      throw new IllegalArgumentException("exponent must be 0 or more, was " + exponent);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / Math.pow(k + 1, exponent);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  int size() {
    return cumulative.length;
  }

  /** The probability of {@code rank}. */
  double probability(int rank) {
    return rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1];
  }

  /** One rank: the smallest whose cumulative probability exceeds a uniform draw in [0, 1). */
  int sample(SplittableRandom random) {
    double u = random.nextDouble();
    int at = Arrays.binarySearch(cumulative, u);
    int rank = at >= 0 ? at + 1 : -at - 1;
    return Math.min(rank, cumulative.length - 1);
  }
}
