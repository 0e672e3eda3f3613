package dev.odim.bench.ledger;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Account ids (fixed by a seed) and transfer ids (time-ordered, as a client would make them). */
final class Ids {
  private Ids() {}

  /** {@code count} random (version 4) ids drawn from {@code seed}: the same ones on every run. */
  static UUID[] accounts(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    UUID[] ids = new UUID[count];
    for (int i = 0; i < count; i++) {
      long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
      long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
      ids[i] = new UUID(msb, lsb);
    }
    return ids;
  }

  /** A version 7 id: milliseconds since the epoch, then random bits. */
  static UUID transfer() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /** Whether {@code a} sorts before {@code b} as PostgreSQL orders uuids (unsigned bytes). */
  static boolean before(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0
        ? high < 0
        : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits()) < 0;
  }
}
