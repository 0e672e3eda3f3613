package dev.odim.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.testkit.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final SettableClock clock = SettableClock.standard();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void decisionsCarryTheDraftHeaderValues() {
    RateLimiter limiter = RateLimiter.builder().clock(clock).build();
    RatePolicy policy = RatePolicy.perClientIp();

    Decision first = limiter.tryAcquire(policy, "203.0.113.7");
    limiter.tryAcquire(policy, "203.0.113.7");
    Decision third = limiter.tryAcquire(policy, "203.0.113.7");

    assertThat(first.policyHeader()).isEqualTo("\"default\";q=100;w=60");
    assertThat(first.rateLimitHeader()).isEqualTo("\"default\";r=99;t=1");
    // Three tokens out of 100/1m come back in 3 x 600 ms = 1.8 s: t rounds up to 2.
    assertThat(third.rateLimitHeader()).isEqualTo("\"default\";r=97;t=2");
    assertThat(third.retryAfterSeconds()).isZero();
  }

  @Test
  void aRefusalSaysWhenToRetryAndIsCountedByPolicy() {
    RateLimiter limiter = RateLimiter.builder().clock(clock).meterRegistry(registry).build();
    RatePolicy policy = RatePolicy.of("login-ip", 2, Duration.ofMinutes(1));
    limiter.tryAcquire(policy, "203.0.113.7");
    limiter.tryAcquire(policy, "203.0.113.7");

    Decision refused = limiter.tryAcquire(policy, "203.0.113.7");
    limiter.tryAcquire(policy, "203.0.113.7");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(refused.retryAfterSeconds()).isEqualTo(30);
    assertThat(refused.rateLimitHeader()).isEqualTo("\"login-ip\";r=0;t=60");
    assertThat(registry.get("odim_rate_limited_total").tag("policy", "login-ip").counter().count())
        .isEqualTo(2);
  }

  @Test
  void aRetryAfterUnderOneSecondIsSentAsOneSecond() {
    RateLimiter limiter = RateLimiter.builder().clock(clock).build();
    RatePolicy policy = RatePolicy.of("fast", 10, Duration.ofSeconds(1));
    for (int i = 0; i < 10; i++) {
      limiter.tryAcquire(policy, "client");
    }

    Decision refused = limiter.tryAcquire(policy, "client");

    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(100));
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void aStoreAndAClockTogetherAreRefused() {
    assertThatThrownBy(
            () ->
                RateLimiter.builder()
                    .store(InMemoryRateLimitStore.builder().build())
                    .clock(clock)
                    .build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("clock:");
  }

  @Test
  void policiesAreCheckedWhenMade() {
    assertThatThrownBy(() -> RatePolicy.of("Default", 100, Duration.ofMinutes(1)))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("name:");
    assertThatThrownBy(() -> RatePolicy.of("default", 0, Duration.ofMinutes(1)))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("capacity:");
    assertThatThrownBy(() -> RatePolicy.of("default", 1, Duration.ZERO))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("window:");
  }

  @Test
  void backoffSettingsAreCheckedWhenBuilt() {
    assertThatThrownBy(
            () ->
                FailureBackoff.builder("login-account")
                    .firstDelay(Duration.ofMinutes(1))
                    .maxDelay(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("maxDelay:");
    assertThatThrownBy(() -> FailureBackoff.builder("login-account").freeFailures(-1).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("freeFailures:");
  }

  @Test
  void anAttemptRefusedByALockOutIsCountedAsRateLimited() {
    FailureBackoff backoff =
        FailureBackoff.builder("login-account")
            .clock(clock)
            .freeFailures(0)
            .meterRegistry(registry)
            .build();

    Decision locked = backoff.recordFailure("ada@example.com");
    backoff.check("ada@example.com");

    assertThat(locked.allowed()).isFalse();
    assertThat(locked.policy().name()).isEqualTo("login-account");
    assertThat(
            registry
                .get("odim_rate_limited_total")
                .tag("policy", "login-account")
                .counter()
                .count())
        .isEqualTo(1);
  }
}
