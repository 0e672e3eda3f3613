package dev.odim.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final RandomGenerator random = new SplittableRandom(42);

  @Test
  void fullJitterStaysUnderTheDoublingCeilingAndTheCap() {
    Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(60));
    for (int attempt = 1; attempt <= 40; attempt++) {
      long ceiling = Math.min(60_000, 1_000L << Math.min(attempt - 1, 30));
      for (int i = 0; i < 200; i++) {
        assertThat(backoff.delayAfter(attempt, random).toMillis()).isBetween(0L, ceiling);
      }
    }
  }

  @Test
  void fullJitterReallySpreads() {
    Backoff backoff = Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10));
    long below = 0;
    for (int i = 0; i < 1_000; i++) {
      if (backoff.delayAfter(1, random).toMillis() < 5_000) {
        below++;
      }
    }
    assertThat(below).as("about half below the middle").isBetween(400L, 600L);
  }

  @Test
  void spreadPlacesThreeAttemptsWithinTwentyFourHours() {
    Backoff spread = Backoff.spread(3, Duration.ofHours(24));
    for (int i = 0; i < 1_000; i++) {
      Duration first = spread.delayAfter(1, random);
      Duration second = spread.delayAfter(2, random);
      assertThat(first).isBetween(Duration.ofHours(4), Duration.ofHours(8));
      assertThat(second).isBetween(Duration.ofHours(8), Duration.ofHours(16));
      assertThat(first.plus(second)).isLessThanOrEqualTo(Duration.ofHours(24));
    }
  }

  @Test
  void noJitterDoublesExactly() {
    Backoff backoff =
        Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(5), Backoff.Jitter.NONE);
    assertThat(backoff.delayAfter(1, random)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delayAfter(3, random)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.delayAfter(4, random)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delayAfter(1_000, random)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aSpecReadsBackToTheSamePolicy() {
    for (Backoff backoff :
        new Backoff[] {
          Backoff.defaults(),
          Backoff.spread(5, Duration.ofDays(2)),
          Backoff.exponential(Duration.ofMillis(3), Duration.ofMillis(3), Backoff.Jitter.NONE)
        }) {
      assertThat(Backoff.parse(backoff.spec())).isEqualTo(backoff);
    }
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(InvalidJobException.class);
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(InvalidJobException.class);
    assertThatThrownBy(() -> Backoff.spread(1, Duration.ofHours(1)))
        .isInstanceOf(InvalidJobException.class);
    assertThatThrownBy(() -> Backoff.parse("linear:1"))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("linear:1");
  }
}
