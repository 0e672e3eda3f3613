package dev.odim.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.odim.testkit.RedisExtension;
import dev.odim.testkit.TcpProxy;
import dev.odim.testkit.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(RedisExtension.class)
class FallbackRateLimitStoreTest extends RateLimitStoreContract {
  private static final Duration TIMEOUT = Duration.ofMillis(250);
  private static final Duration COOL_DOWN = Duration.ofSeconds(5);

  private final TestRedis redis;
  private final Logger log = (Logger) LoggerFactory.getLogger(FallbackRateLimitStore.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  FallbackRateLimitStoreTest(TestRedis redis) {
    this.redis = redis;
  }

  @Override
  protected RateLimitStore newStore(Clock clock) {
    return FallbackRateLimitStore.builder(
            RedisRateLimitStore.builder(redis.uri())
                .clock(clock)
                .commandTimeout(Duration.ofSeconds(2))
                .build())
        .clock(clock)
        .build();
  }

  @BeforeEach
  void captureLog() {
    logged.start();
    log.addAppender(logged);
    log.setLevel(Level.INFO);
  }

  @AfterEach
  void releaseLog() {
    log.detachAppender(logged);
    log.setLevel(null);
  }

  @Test
  void whileRedisIsCutRequestsAreDecidedLocallyAndSharedLimitsReturnWithRedis() {
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port())) {
      RateLimitStore redisStore =
          RedisRateLimitStore.builder(
                  "redis://" + redis.host() + ":" + proxy.port() + "/" + redis.database())
              .clock(clock)
              .commandTimeout(TIMEOUT)
              .build();
      FallbackRateLimitStore store =
          FallbackRateLimitStore.builder(redisStore).clock(clock).coolDown(COOL_DOWN).build();
      RateLimiter limiter = RateLimiter.builder().store(store).build();
      RatePolicy policy = RatePolicy.of("outage", 5, Duration.ofHours(1));
      String key = key("203.0.113.9");
      try {
        assertThat(limiter.tryAcquire(policy, key).remaining()).isEqualTo(4);
        assertThat(limiter.tryAcquire(policy, key).remaining()).isEqualTo(3);
        assertThat(limiter.health().degraded()).isFalse();

        proxy.cut();
        Instant cutAt = clock.instant();

        // Decided within the timeout, by a local bucket that starts full.
        long start = System.nanoTime();
        Decision local = limiter.tryAcquire(policy, key);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isLessThan(TIMEOUT.plus(Duration.ofMillis(500)));
        assertThat(local.allowed()).isTrue();
        assertThat(local.remaining()).isEqualTo(4);
        StoreHealth health = limiter.health();
        assertThat(health.degraded()).isTrue();
        assertThat(health.reason()).contains("Redis at");
        assertThat(health.since()).isEqualTo(cutAt);

        // The local limit holds: four more, then refused.
        for (int i = 0; i < 4; i++) {
          assertThat(limiter.tryAcquire(policy, key).allowed()).isTrue();
        }
        assertThat(limiter.tryAcquire(policy, key).allowed()).isFalse();

        // After the cool-down one request tries Redis again, fails within the timeout, and the
        // store stays degraded.
        clock.advance(COOL_DOWN);
        assertThat(limiter.tryAcquire(policy, key).allowed()).isFalse();
        assertThat(limiter.health().degraded()).isTrue();

        proxy.restore();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  clock.advance(COOL_DOWN);
                  limiter.tryAcquire(policy, RatePolicy.perClientIp().name() + key);
                  return !limiter.health().degraded();
                });

        // Back on Redis: the shared bucket still holds what was taken before the cut.
        assertThat(limiter.tryAcquire(policy, key).remaining()).isEqualTo(2);
        assertThat(logged.list)
            .extracting(ILoggingEvent::getLevel)
            .containsExactly(Level.WARN, Level.INFO);
      } finally {
        store.close();
      }
    }
  }

  @Test
  void withRedisDownAtStartUpTheFirstRequestIsDecidedLocally() {
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port())) {
      proxy.cut();
      FallbackRateLimitStore store =
          FallbackRateLimitStore.builder(
                  RedisRateLimitStore.builder(
                          "redis://" + redis.host() + ":" + proxy.port() + "/" + redis.database())
                      .clock(clock)
                      .commandTimeout(TIMEOUT)
                      .build())
              .clock(clock)
              .build();
      try {
        Decision first = RateLimiter.builder().store(store).build().tryAcquire(policy(), key("ip"));

        assertThat(first.allowed()).isTrue();
        assertThat(store.health().degraded()).isTrue();
      } finally {
        store.close();
      }
    }
  }

  @Test
  void whileDegradedOnlyOneCallPerCoolDownTriesThePrimary() {
    AtomicInteger tried = new AtomicInteger();
    RateLimitStore down =
        new LocalPrimary() {
          @Override
          public Consumption tryConsume(String key, RatePolicy policy, long tokens) {
            tried.incrementAndGet();
            throw new RateLimitStoreUnavailableException("down for the test");
          }
        };
    FallbackRateLimitStore store =
        FallbackRateLimitStore.builder(down).clock(clock).coolDown(COOL_DOWN).build();

    for (int i = 0; i < 20; i++) {
      store.tryConsume(key("ip"), policy(), 1);
    }
    assertThat(tried).hasValue(1);

    clock.advance(COOL_DOWN);
    for (int i = 0; i < 20; i++) {
      store.tryConsume(key("ip"), policy(), 1);
    }
    assertThat(tried).hasValue(2);
    assertThat(store.health().reason()).isEqualTo("down for the test");
    assertThat(logged.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN);
  }

  private static RatePolicy policy() {
    return RatePolicy.of("fallback", 100, Duration.ofMinutes(1));
  }

  /** A primary for tests of the fallback's own rules: answers every call except as overridden. */
  private static class LocalPrimary implements RateLimitStore {
    private final RateLimitStore local = InMemoryRateLimitStore.builder().build();

    @Override
    public Consumption tryConsume(String key, RatePolicy policy, long tokens) {
      return local.tryConsume(key, policy, tokens);
    }

    @Override
    public long consumeUpTo(String key, RatePolicy policy, long tokens) {
      return local.consumeUpTo(key, policy, tokens);
    }

    @Override
    public BucketLevel level(String key, RatePolicy policy) {
      return local.level(key, policy);
    }

    @Override
    public void reset(String key, RatePolicy policy) {
      local.reset(key, policy);
    }
  }
}
