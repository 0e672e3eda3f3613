package dev.odim.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.testkit.RedisExtension;
import dev.odim.testkit.TcpProxy;
import dev.odim.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class RedisRateLimitStoreTest extends RateLimitStoreContract {
  private final TestRedis redis;

  RedisRateLimitStoreTest(TestRedis redis) {
    this.redis = redis;
  }

  @Override
  protected RateLimitStore newStore(Clock clock) {
    // A generous timeout: the build machine is shared, and this suite proves behaviour, not
    // latency (FallbackRateLimitStoreTest proves the bound).
    return RedisRateLimitStore.builder(redis.uri())
        .clock(clock)
        .commandTimeout(Duration.ofSeconds(2))
        .build();
  }

  @Test
  void twoInstancesOnOneRedisTogetherAllowExactlyTheCapacity() throws Exception {
    RateLimiter first = RateLimiter.builder().store(store()).build();
    RateLimiter second = RateLimiter.builder().store(store()).build();
    RatePolicy policy = RatePolicy.of("shared", 40, Duration.ofHours(1));
    String key = key("198.51.100.4");
    // Each sees what the other took...
    assertThat(first.tryAcquire(policy, key).remaining()).isEqualTo(39);
    assertThat(second.tryAcquire(policy, key).remaining()).isEqualTo(38);
    AtomicInteger allowed = new AtomicInteger(2);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        RateLimiter limiter = t % 2 == 0 ? first : second;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 6; i++) {
                    if (limiter.tryAcquire(policy, key).allowed()) {
                      allowed.incrementAndGet();
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

    // ...and racing from 16 threads, together they allow exactly the capacity.
    assertThat(allowed).hasValue(40);
  }

  @Test
  void aLockOutSetThroughOneInstanceHoldsOnTheOther() {
    FailureBackoff first =
        FailureBackoff.builder("shared-login").store(store()).freeFailures(1).build();
    FailureBackoff second =
        FailureBackoff.builder("shared-login").store(store()).freeFailures(1).build();
    String account = key("ada@example.com");

    first.recordFailure(account);
    Decision locked = second.recordFailure(account);

    assertThat(locked.allowed()).isFalse();
    assertThat(first.check(account).allowed()).isFalse();
    assertThat(first.check(account).retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void bucketKeysAreNamedByPolicyAndExpireOnceTheBucketIsFullAgain() {
    RateLimitStore store = store();
    RatePolicy policy = RatePolicy.of("expiring", 10, Duration.ofMinutes(1));
    String key = key("client");
    store.tryConsume(key, policy, 1);

    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      long ttl = connection.sync().pttl("odim:rl:expiring:" + key);
      // One token of 10/1m is back in 6 s, plus the second kept after the bucket is full.
      assertThat(ttl).isBetween(1L, 7_000L);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void withoutRedisAStoreFailsPromptlyInsteadOfWaiting() {
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port())) {
      proxy.cut();
      RedisRateLimitStore store =
          RedisRateLimitStore.builder(
                  "redis://" + redis.host() + ":" + proxy.port() + "/" + redis.database())
              .clock(clock)
              .commandTimeout(Duration.ofMillis(200))
              .build();
      try {
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.tryConsume(key("client"), RatePolicy.perClientIp(), 1))
            .isInstanceOf(RateLimitStoreUnavailableException.class)
            .hasMessageContaining("Redis at");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      } finally {
        store.close();
      }
    }
  }

  @Test
  void aBadUriIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> RedisRateLimitStore.builder("http://user:secret@host").build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("redisUri:")
        .hasMessageNotContaining("secret");
  }
}
