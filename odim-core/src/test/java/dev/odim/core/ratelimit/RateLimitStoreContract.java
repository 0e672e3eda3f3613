package dev.odim.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.testkit.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link RateLimitStore} keeps, run by each implementation's test: extend it,
 * return a new store from {@link #newStore(Clock)}, and every test here runs against that store.
 * Shipped in odim-core's tests jar ({@code <type>test-jar</type>}) so that stores in other modules
 * run it too.
 *
 * <p>Time is a {@link SettableClock} that only the tests move; keys are unique per test, so a
 * shared backend (Redis) need not be emptied between tests.
 */
public abstract class RateLimitStoreContract {
  /** The clock every store under test must refill its buckets by. */
  protected final SettableClock clock = SettableClock.standard();

  private final String run = UUID.randomUUID().toString();
  private final List<RateLimitStore> stores = new ArrayList<>();

  /** A new store over the backend under test, whose buckets refill by {@code clock}. */
  protected abstract RateLimitStore newStore(Clock clock);

  /** A new store, closed after the test. */
  protected final RateLimitStore store() {
    RateLimitStore store = newStore(clock);
    stores.add(store);
    return store;
  }

  /** A key no other test uses. */
  protected final String key(String name) {
    return name + "-" + run;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(RateLimitStore::close);
  }

  @Test
  void capacityIsHonouredExactlyUnderSixteenConcurrentThreads() throws Exception {
    RateLimiter limiter = RateLimiter.builder().store(store()).build();
    RatePolicy policy = RatePolicy.of("contract-concurrent", 50, Duration.ofHours(1));
    String key = key("10.0.0.1");
    int threads = 16;
    int attemptsEach = 10;
    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    Set<Long> remainingSeen = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < attemptsEach; i++) {
                    Decision decision = limiter.tryAcquire(policy, key);
                    if (decision.allowed()) {
                      allowed.incrementAndGet();
                      remainingSeen.add(decision.remaining());
                    } else {
                      refused.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(allowed).hasValue(50);
    assertThat(refused).hasValue(threads * attemptsEach - 50);
    // Each token was handed out once: the allowed requests saw every remaining count 49..0.
    assertThat(remainingSeen).hasSize(50).allMatch(r -> r >= 0 && r < 50);
    assertThat(limiter.store().level(key, policy).available()).isZero();
  }

  @Test
  void keysAndPoliciesHaveTheirOwnBuckets() {
    RateLimiter limiter = RateLimiter.builder().store(store()).build();
    RatePolicy policy = RatePolicy.of("contract-keys", 2, Duration.ofMinutes(1));
    RatePolicy other = RatePolicy.of("contract-keys-other", 2, Duration.ofMinutes(1));
    String a = key("a");
    String b = key("b");

    assertThat(limiter.tryAcquire(policy, a).allowed()).isTrue();
    assertThat(limiter.tryAcquire(policy, a).allowed()).isTrue();
    assertThat(limiter.tryAcquire(policy, a).allowed()).isFalse();

    Decision otherKey = limiter.tryAcquire(policy, b);
    assertThat(otherKey.allowed()).isTrue();
    assertThat(otherKey.remaining()).isEqualTo(1);
    Decision otherPolicy = limiter.tryAcquire(other, a);
    assertThat(otherPolicy.allowed()).isTrue();
    assertThat(otherPolicy.remaining()).isEqualTo(1);
  }

  @Test
  void aRefusedKeyIsToldWhenToRetryAndTheWindowRefillsIt() {
    RateLimiter limiter = RateLimiter.builder().store(store()).build();
    RatePolicy policy = RatePolicy.of("contract-refill", 60, Duration.ofMinutes(1));
    String key = key("client");
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.tryAcquire(policy, key).allowed()).isTrue();
    }

    Decision refused = limiter.tryAcquire(policy, key);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    // Greedy refill: one token a second, the whole quota in a minute.
    assertThat(refused.retryAfter()).isBetween(Duration.ofMillis(999), Duration.ofSeconds(1));
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.resetAfter()).isBetween(Duration.ofMillis(59_999), Duration.ofMinutes(1));

    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(policy, key).allowed()).isTrue();
    assertThat(limiter.tryAcquire(policy, key).allowed()).isFalse();

    clock.advance(Duration.ofMinutes(1));
    Decision refilled = limiter.tryAcquire(policy, key);
    assertThat(refilled.allowed()).isTrue();
    assertThat(refilled.remaining()).isEqualTo(59);
  }

  @Test
  void intervalRefillReturnsTheWholeQuotaOnlyAtTheEndOfTheWindow() {
    RateLimitStore store = store();
    RatePolicy policy =
        RatePolicy.of("contract-interval", 3, Duration.ofMinutes(1)).refillingIntervally();
    String key = key("client");
    for (int i = 0; i < 3; i++) {
      assertThat(store.tryConsume(key, policy, 1).consumed()).isTrue();
    }

    clock.advance(Duration.ofSeconds(59));
    Consumption early = store.tryConsume(key, policy, 1);
    assertThat(early.consumed()).isFalse();
    assertThat(early.untilRefill()).isEqualTo(Duration.ofSeconds(1));

    clock.advance(Duration.ofSeconds(1));
    Consumption refilled = store.tryConsume(key, policy, 1);
    assertThat(refilled.consumed()).isTrue();
    assertThat(refilled.remaining()).isEqualTo(2);
  }

  @Test
  void consumeUpToTakesWhatIsLeftAndLevelReadsWithoutTaking() {
    RateLimitStore store = store();
    RatePolicy policy = RatePolicy.of("contract-level", 10, Duration.ofSeconds(10));
    String key = key("client");

    assertThat(store.level(key, policy)).isEqualTo(new BucketLevel(10, Duration.ZERO));
    assertThat(store.consumeUpTo(key, policy, 4)).isEqualTo(4);
    assertThat(store.consumeUpTo(key, policy, 100)).isEqualTo(6);
    assertThat(store.consumeUpTo(key, policy, 1)).isZero();

    BucketLevel empty = store.level(key, policy);
    assertThat(empty.available()).isZero();
    assertThat(empty.untilFull()).isBetween(Duration.ofMillis(9_999), Duration.ofSeconds(10));
    assertThat(store.level(key, policy).available()).isZero();
  }

  @Test
  void resetStartsTheBucketFull() {
    RateLimitStore store = store();
    RatePolicy policy = RatePolicy.of("contract-reset", 2, Duration.ofHours(1));
    String key = key("client");
    store.consumeUpTo(key, policy, 2);

    store.reset(key, policy);

    assertThat(store.level(key, policy).available()).isEqualTo(2);
  }

  @Test
  void backoffLocksOutForTwiceAsLongAfterEachFailurePastTheFreeOnes() {
    FailureBackoff backoff =
        FailureBackoff.builder("contract-backoff")
            .store(store())
            .freeFailures(3)
            .firstDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(8))
            .window(Duration.ofHours(1))
            .build();
    String account = key("ada@example.com");

    for (int remaining = 2; remaining >= 0; remaining--) {
      Decision free = backoff.recordFailure(account);
      assertThat(free.allowed()).isTrue();
      assertThat(free.remaining()).isEqualTo(remaining);
    }

    for (long seconds : new long[] {1, 2, 4, 8, 8}) {
      Decision locked = backoff.recordFailure(account);
      assertThat(locked.allowed()).as("locked after a failure costing %d s", seconds).isFalse();
      assertThat(locked.retryAfter())
          .isBetween(Duration.ofSeconds(seconds).minusMillis(1), Duration.ofSeconds(seconds));
      assertThat(locked.retryAfterSeconds()).isEqualTo(seconds);

      clock.advance(Duration.ofSeconds(seconds).minusMillis(10));
      assertThat(backoff.check(account).allowed()).isFalse();
      clock.advance(Duration.ofMillis(10));
      assertThat(backoff.check(account).allowed()).isTrue();
    }
  }

  @Test
  void backoffCountsEveryFailureRecordedConcurrently() throws Exception {
    FailureBackoff backoff =
        FailureBackoff.builder("contract-concurrent-failures")
            .store(store())
            .freeFailures(100)
            .build();
    String account = key("ada@example.com");
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5; i++) {
                    backoff.recordFailure(account);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }

    Decision after = backoff.check(account);
    assertThat(after.remaining()).isEqualTo(100 - 16 * 5);
    assertThat(after.allowed()).isTrue();
  }

  @Test
  void backoffSuccessForgetsTheFailuresAndLiftsTheLockOut() {
    FailureBackoff backoff =
        FailureBackoff.builder("contract-success").store(store()).freeFailures(1).build();
    String account = key("ada@example.com");
    backoff.recordFailure(account);
    assertThat(backoff.recordFailure(account).allowed()).isFalse();

    backoff.recordSuccess(account);

    Decision after = backoff.check(account);
    assertThat(after.allowed()).isTrue();
    assertThat(after.remaining()).isEqualTo(1);
    assertThat(backoff.recordFailure(account).allowed()).isTrue();
  }

  @Test
  void backoffCountsFailuresAgainFromZeroWhenTheWindowEnds() {
    FailureBackoff backoff =
        FailureBackoff.builder("contract-window")
            .store(store())
            .freeFailures(2)
            .window(Duration.ofMinutes(10))
            .build();
    String account = key("ada@example.com");
    backoff.recordFailure(account);
    assertThat(backoff.recordFailure(account).remaining()).isZero();

    clock.advance(Duration.ofMinutes(10));

    Decision fresh = backoff.recordFailure(account);
    assertThat(fresh.allowed()).isTrue();
    assertThat(fresh.remaining()).isEqualTo(1);
  }
}
