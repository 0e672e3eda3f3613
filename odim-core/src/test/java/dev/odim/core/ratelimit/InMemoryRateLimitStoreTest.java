package dev.odim.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryRateLimitStoreTest extends RateLimitStoreContract {

  @Override
  protected RateLimitStore newStore(Clock clock) {
    return InMemoryRateLimitStore.builder().clock(clock).build();
  }

  @Test
  void aSweepForgetsBucketsThatRefilledAndKeepsTheOthers() {
    InMemoryRateLimitStore store =
        InMemoryRateLimitStore.builder().clock(clock).sweepEvery(Duration.ofMinutes(1)).build();
    RatePolicy perMinute = RatePolicy.of("sweep-minute", 10, Duration.ofMinutes(1));
    RatePolicy perHour = RatePolicy.of("sweep-hour", 10, Duration.ofHours(1));
    store.tryConsume("idle-1", perMinute, 1);
    store.tryConsume("idle-2", perMinute, 5);
    store.tryConsume("busy", perHour, 10);
    assertThat(store.size()).isEqualTo(3);

    clock.advance(Duration.ofSeconds(61));
    store.tryConsume("new", perMinute, 1);

    // The two per-minute buckets were full again and went; the hourly one is still empty.
    assertThat(store.size()).isEqualTo(2);
    assertThat(store.tryConsume("busy", perHour, 1).consumed()).isFalse();
    assertThat(store.level("idle-2", perMinute).available()).isEqualTo(10);
  }

  @Test
  void aPolicyWithTheSameNameButNewLimitsReplacesTheBucket() {
    InMemoryRateLimitStore store = InMemoryRateLimitStore.builder().clock(clock).build();
    store.consumeUpTo("client", RatePolicy.of("changed", 2, Duration.ofMinutes(1)), 2);

    Consumption after =
        store.tryConsume("client", RatePolicy.of("changed", 5, Duration.ofMinutes(1)), 1);

    assertThat(after.consumed()).isTrue();
    assertThat(after.remaining()).isEqualTo(4);
  }

  @Test
  void aSweepIntervalUnderOneSecondIsRefused() {
    assertThatThrownBy(
            () -> InMemoryRateLimitStore.builder().sweepEvery(Duration.ofMillis(10)).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("sweepEvery:");
  }

  @Test
  void blankKeysAndZeroTokensAreBugs() {
    InMemoryRateLimitStore store = InMemoryRateLimitStore.builder().build();
    RatePolicy policy = RatePolicy.perClientIp();
    assertThatThrownBy(() -> store.tryConsume(" ", policy, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.tryConsume("client", policy, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
