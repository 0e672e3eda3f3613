package dev.odim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdsTest {
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00.123Z");

  @Test
  void idsAreVersion7WithTheRfcVariant() {
    var ids = new Ids(Clock.systemUTC());
    for (int i = 0; i < 1_000; i++) {
      var id = ids.next();
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
    }
  }

  @Test
  void timestampComesFromTheInjectedClock() {
    var ids = Ids.withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    var id = ids.next();
    assertThat(Ids.timestampOf(id)).isEqualTo(NOW);
    assertThat(id.toString()).startsWith("01955193-de7b-7");
  }

  @Test
  void idsWithinOneMillisecondAreStrictlyIncreasing() {
    var ids = new Ids(Clock.fixed(NOW, ZoneOffset.UTC));
    UUID previous = ids.next();
    for (int i = 0; i < 10_000; i++) {
      UUID id = ids.next();
      assertThat(id).isGreaterThan(previous);
      previous = id;
    }
  }

  @Test
  void counterExhaustionBorrowsTheNextMillisecondInsteadOfRepeating() {
    var ids = new Ids(Clock.fixed(NOW, ZoneOffset.UTC));
    UUID last = null;
    for (int i = 0; i < 4_097; i++) {
      last = ids.next();
    }
    assertThat(Ids.timestampOf(last)).isAfter(NOW);
  }

  @Test
  void aClockThatStepsBackDoesNotBreakOrdering() {
    var clock = new StepClock(NOW.toEpochMilli());
    var ids = new Ids(clock);
    var first = ids.next();
    clock.millis = NOW.toEpochMilli() - 5_000;
    assertThat(ids.next()).isGreaterThan(first);
  }

  @Test
  void eightThreadsGetUniqueIdsInGenerationOrder() throws Exception {
    int threads = 8;
    int perThread = 50_000;
    var ids = new Ids(Clock.systemUTC());
    var start = new CountDownLatch(1);
    List<Future<List<UUID>>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  var mine = new ArrayList<UUID>(perThread);
                  for (int i = 0; i < perThread; i++) {
                    mine.add(ids.next());
                  }
                  return mine;
                }));
      }
      start.countDown();
      var all = new HashSet<UUID>();
      for (var result : results) {
        var mine = result.get();
        assertThat(mine).isSorted();
        all.addAll(mine);
      }
      assertThat(all).hasSize(threads * perThread);
    }
  }

  @Test
  void timestampOfRejectsOtherVersions() {
    assertThatThrownBy(() -> Ids.timestampOf(UUID.randomUUID()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A clock a test can set; only {@link #millis()} is used by {@link Ids}. */
  private static final class StepClock extends Clock {
    volatile long millis;

    StepClock(long millis) {
      this.millis = millis;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
