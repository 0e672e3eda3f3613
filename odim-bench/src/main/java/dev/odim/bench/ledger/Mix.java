package dev.odim.bench.ledger;

import java.util.SplittableRandom;

/**
 * Which two accounts each transfer moves money between, and how much. Every run of a mix draws from
 * the same seeds, so the naive run and the ledger run of one mix see the same sequence of transfers
 * (as far as each gets).
 */
enum Mix {
  /** Two distinct accounts drawn uniformly from the ordinary ones. */
  UNIFORM,
  /** A uniformly drawn debit account; every transfer credits the one hot account. */
  HOT,
  /** Both accounts drawn from a Zipf distribution (exponent 1) over the ordinary accounts. */
  ZIPF;

  /** The ordinary accounts; the hot account comes after them, at index {@code ACCOUNTS}. */
  static final int ACCOUNTS = 10_000;

  static final int HOT_ACCOUNT = ACCOUNTS;
  static final double ZIPF_EXPONENT = 1.0;
  private static final long SEED = 0x0D1E_1ED6_E2B0_0C5L;
  private static final Zipf ZIPF_RANKS = new Zipf(ACCOUNTS, ZIPF_EXPONENT);

  /** One generator per worker thread, each with its own seed; none is shared between threads. */
  Picker[] pickers(int workers) {
    Picker[] pickers = new Picker[workers];
    for (int w = 0; w < workers; w++) {
      pickers[w] = new Picker(this, new SplittableRandom(SEED + ordinal() * 1_000_003L + w));
    }
    return pickers;
  }

  /** Draws transfers for one worker; {@link #next()} sets the three fields. */
  static final class Picker {
    private final Mix mix;
    private final SplittableRandom random;
    int debit;
    int credit;
    long amount;

    Picker(Mix mix, SplittableRandom random) {
      this.mix = mix;
      this.random = random;
    }

    void next() {
      switch (mix) {
        case UNIFORM -> {
          debit = random.nextInt(ACCOUNTS);
          int other = random.nextInt(ACCOUNTS - 1);
          credit = other >= debit ? other + 1 : other;
        }
        case HOT -> {
          debit = random.nextInt(ACCOUNTS);
          credit = HOT_ACCOUNT;
        }
        case ZIPF -> {
          debit = ZIPF_RANKS.sample(random);
          do {
            credit = ZIPF_RANKS.sample(random);
          } while (credit == debit);
        }
      }
      amount = 1 + random.nextInt(10_000);
    }
  }
}
