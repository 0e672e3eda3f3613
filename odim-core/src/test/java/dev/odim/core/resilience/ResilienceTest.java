package dev.odim.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.odim.core.OdimConfigException;
import dev.odim.core.resilience.DependencyUnavailableException.Reason;
import dev.odim.core.resilience.Resilience.CircuitState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilienceTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double counter(String name, String... tags) {
    var search = registry.find(name).tag("dependency", "paystack");
    for (int i = 0; i < tags.length; i += 2) {
      search = search.tag(tags[i], tags[i + 1]);
    }
    return search.counter() == null ? 0 : search.counter().count();
  }

  private double breakerState() {
    return registry.get("odim.circuit.breaker.state").tag("dependency", "paystack").gauge().value();
  }

  private static RetrySettings fastRetry(int attempts) {
    return RetrySettings.of(attempts, Duration.ofMillis(1), Duration.ofMillis(5));
  }

  @Test
  void retryRecoversFromTransientFailuresAndCountsRetries() {
    var resilience =
        Resilience.builder("paystack").retry(fastRetry(3)).meterRegistry(registry).build();
    var attempts = new AtomicInteger();

    String result =
        resilience.get(
            () -> {
              if (attempts.incrementAndGet() < 3) {
                throw new IOException("connection reset");
              }
              return "ok";
            });

    assertThat(result).isEqualTo("ok");
    assertThat(attempts).hasValue(3);
    assertThat(counter("odim.resilience.retries")).isEqualTo(2);
    assertThat(counter("odim.resilience.calls", "outcome", "success")).isEqualTo(1);
    assertThat(counter("odim.resilience.calls", "outcome", "failure")).isZero();
    assertThat(
            registry
                .get("odim.resilience.call.duration")
                .tag("dependency", "paystack")
                .tag("outcome", "success")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void exhaustedRetriesSurfaceTheLastFailure() {
    var resilience =
        Resilience.builder("paystack").retry(fastRetry(3)).meterRegistry(registry).build();
    var attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                resilience.run(
                    () -> {
                      throw new IllegalStateException("attempt " + attempts.incrementAndGet());
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("attempt 3");
    assertThat(counter("odim.resilience.calls", "outcome", "failure")).isEqualTo(1);
  }

  @Test
  void checkedFailuresArriveWrappedWithTheDependencyName() {
    var resilience = Resilience.builder("paystack").retry(fastRetry(2)).build();
    assertThatThrownBy(
            () ->
                resilience.get(
                    () -> {
                      throw new IOException("refused");
                    }))
        .isInstanceOfSatisfying(
            DependencyFailedException.class, e -> assertThat(e.dependency()).isEqualTo("paystack"))
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void failureThatRetryOnRejectsIsNotRetried() {
    var resilience =
        Resilience.builder("paystack")
            .retry(fastRetry(5).retryOn(failure -> failure instanceof IOException))
            .meterRegistry(registry)
            .build();
    var attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                resilience.get(
                    () -> {
                      attempts.incrementAndGet();
                      throw new IllegalArgumentException("400 invalid email");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(attempts).hasValue(1);
    assertThat(counter("odim.resilience.retries")).isZero();
  }

  @Test
  void resultsCanBeRetried() {
    var resilience =
        Resilience.builder("paystack")
            .retry(fastRetry(4).retryOnResult(result -> "pending".equals(result)))
            .build();
    var attempts = new AtomicInteger();
    String status = resilience.get(() -> attempts.incrementAndGet() < 3 ? "pending" : "success");
    assertThat(status).isEqualTo("success");
  }

  @Test
  void retryAfterHintReplacesTheBackoff() {
    var resilience =
        Resilience.builder("paystack")
            .retry(RetrySettings.of(2, Duration.ZERO, Duration.ofSeconds(1)))
            .build();
    var attempts = new AtomicInteger();
    long start = System.nanoTime();

    String result =
        resilience.get(
            () -> {
              if (attempts.incrementAndGet() == 1) {
                throw new RetryAfterException("429 too many requests", Duration.ofMillis(150));
              }
              return "ok";
            });

    // without the hint the backoff would be zero
    assertThat(result).isEqualTo("ok");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ofMillis(150));
  }

  @Test
  void retryAfterHintCanComeFromTheCallersOwnException() {
    var resilience =
        Resilience.builder("paystack")
            .retry(
                RetrySettings.of(2, Duration.ZERO, Duration.ofSeconds(1))
                    .retryOn(failure -> false)
                    .retryAfter(
                        failure ->
                            failure instanceof RateLimited limited
                                ? java.util.Optional.of(limited.wait)
                                : java.util.Optional.empty()))
            .build();
    var attempts = new AtomicInteger();
    long start = System.nanoTime();

    resilience.run(
        () -> {
          if (attempts.incrementAndGet() == 1) {
            throw new RateLimited(Duration.ofMillis(100));
          }
        });

    assertThat(attempts).hasValue(2);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ofMillis(100));
  }

  @Test
  void retryAfterHintLongerThanMaxDelayEndsTheRetriesAtOnce() {
    var resilience =
        Resilience.builder("paystack")
            .retry(RetrySettings.of(5, Duration.ZERO, Duration.ofMillis(100)))
            .build();
    var attempts = new AtomicInteger();
    long start = System.nanoTime();

    assertThatThrownBy(
            () ->
                resilience.run(
                    () -> {
                      attempts.incrementAndGet();
                      throw new RetryAfterException("503 maintenance", Duration.ofMinutes(10));
                    }))
        .isInstanceOfSatisfying(
            RetryAfterException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(10)));
    assertThat(attempts).hasValue(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ofMillis(500));
  }

  @Test
  void breakerOpensAfterThresholdRejectsAtOnceAndHalfOpensAfterItsDelay() {
    var resilience =
        Resilience.builder("paystack")
            .circuitBreaker(CircuitBreakerSettings.failures(3, 5).openFor(Duration.ofMillis(200)))
            .meterRegistry(registry)
            .build();
    var calls = new AtomicInteger();
    assertThat(breakerState()).isZero();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () ->
                  resilience.run(
                      () -> {
                        calls.incrementAndGet();
                        throw new IllegalStateException("502 bad gateway");
                      }))
          .isInstanceOf(IllegalStateException.class);
    }
    assertThat(resilience.circuitState()).isEqualTo(CircuitState.OPEN);
    assertThat(breakerState()).isEqualTo(2);

    long start = System.nanoTime();
    assertThatThrownBy(() -> resilience.run(calls::incrementAndGet))
        .isInstanceOfSatisfying(
            DependencyUnavailableException.class,
            e -> {
              assertThat(e.dependency()).isEqualTo("paystack");
              assertThat(e.reason()).isEqualTo(Reason.CIRCUIT_OPEN);
              assertThat(e.retryAfter()).isPositive().isLessThanOrEqualTo(ofMillis(200));
            });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ofMillis(50));
    assertThat(calls).hasValue(3);
    assertThat(counter("odim.resilience.calls", "outcome", "rejected")).isEqualTo(1);

    await().atMost(Duration.ofSeconds(1)).until(() -> breakerState() == 1);
    assertThat(resilience.get(() -> "trial")).isEqualTo("trial");
    assertThat(resilience.circuitState()).isEqualTo(CircuitState.CLOSED);
    assertThat(breakerState()).isZero();
  }

  @Test
  void retriesStopWhenTheBreakerOpens() {
    var resilience =
        Resilience.builder("paystack")
            .retry(fastRetry(10))
            .circuitBreaker(CircuitBreakerSettings.failures(2, 2).openFor(Duration.ofSeconds(5)))
            .build();
    var attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                resilience.run(
                    () -> {
                      attempts.incrementAndGet();
                      throw new IOException("down");
                    }))
        .isInstanceOf(DependencyUnavailableException.class);
    assertThat(attempts).hasValue(2);
  }

  @Test
  void failuresThatFailureOnRejectsDoNotOpenTheBreaker() {
    var resilience =
        Resilience.builder("paystack")
            .circuitBreaker(
                CircuitBreakerSettings.failures(2, 2)
                    .failureOn(failure -> !(failure instanceof IllegalArgumentException)))
            .build();
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(
              () ->
                  resilience.run(
                      () -> {
                        throw new IllegalArgumentException("400 invalid amount");
                      }))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(resilience.circuitState()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void bulkheadRejectsCallsBeyondItsCapacity() throws Exception {
    var resilience =
        Resilience.builder("paystack")
            .bulkhead(2, Duration.ZERO)
            .circuitBreaker(CircuitBreakerSettings.failures(1, 1))
            .meterRegistry(registry)
            .build();
    var inside = new CountDownLatch(2);
    var release = new CountDownLatch(1);
    try (var pool = Executors.newFixedThreadPool(2)) {
      var first = pool.submit(() -> holdPermit(resilience, inside, release));
      var second = pool.submit(() -> holdPermit(resilience, inside, release));
      assertThat(inside.await(1, TimeUnit.SECONDS)).isTrue();

      assertThatThrownBy(() -> resilience.get(() -> "third"))
          .isInstanceOfSatisfying(
              DependencyUnavailableException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.BULKHEAD_FULL);
                assertThat(e.retryAfter()).isZero();
              });

      release.countDown();
      assertThat(first.get()).isEqualTo("held");
      assertThat(second.get()).isEqualTo("held");
    }
    assertThat(counter("odim.resilience.bulkhead.rejected")).isEqualTo(1);
    assertThat(counter("odim.resilience.calls", "outcome", "rejected")).isEqualTo(1);
    // a full bulkhead is not a failure of the dependency
    assertThat(resilience.circuitState()).isEqualTo(CircuitState.CLOSED);
    assertThat(resilience.get(() -> "after")).isEqualTo("after");
  }

  /** Failsafe 3.3.2's bulkhead lost its permits in exactly this burst and refused ever after. */
  @Test
  void aBurstOfRejectionsGivesEveryPermitBack() throws Exception {
    var resilience = Resilience.forHttpDependency("paystack").meterRegistry(registry).build();
    var start = new CountDownLatch(1);
    var succeeded = new AtomicInteger();
    var rejected = new AtomicInteger();
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 1_000; i++) {
        threads.submit(
            () -> {
              start.await();
              try {
                resilience.get(
                    () -> {
                      Thread.sleep(20);
                      return "ok";
                    });
                succeeded.incrementAndGet();
              } catch (DependencyUnavailableException e) {
                rejected.incrementAndGet();
              }
              return null;
            });
      }
      start.countDown();
    }
    assertThat(succeeded.get() + rejected.get()).isEqualTo(1_000);
    assertThat(succeeded.get()).isGreaterThanOrEqualTo(50);
    // Nothing is in flight now: every one of the 50 permits is free again.
    for (int i = 0; i < 100; i++) {
      assertThat(resilience.get(() -> "after")).isEqualTo("after");
    }
    var inside = new CountDownLatch(50);
    var release = new CountDownLatch(1);
    try (var pool = Executors.newFixedThreadPool(50)) {
      List<Future<String>> held = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        held.add(pool.submit(() -> holdPermit(resilience, inside, release)));
      }
      assertThat(inside.await(5, TimeUnit.SECONDS)).as("50 calls at once").isTrue();
      release.countDown();
      for (var call : held) {
        assertThat(call.get()).isEqualTo("held");
      }
    }
  }

  private static String holdPermit(
      Resilience resilience, CountDownLatch inside, CountDownLatch release) {
    return resilience.get(
        () -> {
          inside.countDown();
          release.await();
          return "held";
        });
  }

  @Test
  void timeoutCutsASlowCall() {
    var resilience =
        Resilience.builder("paystack")
            .timeout(Duration.ofMillis(100))
            .meterRegistry(registry)
            .build();
    var interrupted = new AtomicInteger();
    long start = System.nanoTime();

    assertThatThrownBy(
            () ->
                resilience.get(
                    () -> {
                      try {
                        Thread.sleep(5_000);
                      } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                      }
                      return "too late";
                    }))
        .isInstanceOfSatisfying(
            DependencyTimeoutException.class,
            e -> {
              assertThat(e.dependency()).isEqualTo("paystack");
              assertThat(e.timeout()).isEqualTo(ofMillis(100));
            });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ofMillis(1_000));
    assertThat(interrupted).hasValue(1);
    assertThat(counter("odim.resilience.timeouts")).isEqualTo(1);
    assertThat(counter("odim.resilience.calls", "outcome", "failure")).isEqualTo(1);
  }

  @Test
  void eachAttemptGetsItsOwnTimeout() {
    var resilience =
        Resilience.builder("paystack")
            .timeout(Duration.ofMillis(50))
            .retry(fastRetry(3))
            .meterRegistry(registry)
            .build();
    var attempts = new AtomicInteger();

    String result =
        resilience.get(
            () -> {
              if (attempts.incrementAndGet() < 3) {
                Thread.sleep(2_000);
              }
              return "fast enough";
            });

    assertThat(result).isEqualTo("fast enough");
    assertThat(counter("odim.resilience.timeouts")).isEqualTo(2);
    assertThat(counter("odim.resilience.retries")).isEqualTo(2);
  }

  @Test
  void fallbackSeesTheFinalFailure() {
    var resilience =
        Resilience.builder("paystack")
            .circuitBreaker(CircuitBreakerSettings.failures(1, 1).openFor(Duration.ofSeconds(5)))
            .build();
    assertThatThrownBy(
            () ->
                resilience.run(
                    () -> {
                      throw new IllegalStateException("down");
                    }))
        .isInstanceOf(IllegalStateException.class);

    String answer =
        resilience.get(
            () -> "live",
            failure -> failure instanceof DependencyUnavailableException ? "cached" : "unexpected");
    assertThat(answer).isEqualTo("cached");
  }

  @Test
  void getAsyncAppliesThePoliciesAndTranslatesFailures() throws Exception {
    var resilience = Resilience.builder("paystack").retry(fastRetry(3)).build();
    var attempts = new AtomicInteger();
    var future =
        resilience.getAsync(
            () -> {
              if (attempts.incrementAndGet() < 2) {
                throw new IOException("reset");
              }
              return "ok";
            });
    assertThat(future.get(1, TimeUnit.SECONDS)).isEqualTo("ok");

    var failing =
        resilience.getAsync(
            () -> {
              throw new IOException("always");
            });
    assertThatThrownBy(() -> failing.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DependencyFailedException.class);
  }

  @Test
  void platformDefaultsBuild() {
    var resilience = Resilience.forHttpDependency("paystack").meterRegistry(registry).build();
    assertThat(resilience.dependency()).isEqualTo("paystack");
    assertThat(resilience.get(() -> 42)).isEqualTo(42);
    assertThat(breakerState()).isZero();
  }

  @Test
  void invalidSettingsAreRejectedByName() {
    assertSetting(Resilience.builder("Paystack!"), "dependency");
    assertSetting(Resilience.builder("paystack").timeout(Duration.ZERO), "timeout");
    assertSetting(
        Resilience.builder("paystack").retry(RetrySettings.of(0, ofMillis(1), ofMillis(1))),
        "retry.maxAttempts");
    assertSetting(
        Resilience.builder("paystack").retry(RetrySettings.of(3, ofMillis(-1), ofMillis(1))),
        "retry.baseDelay");
    assertSetting(
        Resilience.builder("paystack").retry(RetrySettings.of(3, ofMillis(10), ofMillis(1))),
        "retry.maxDelay");
    assertSetting(
        Resilience.builder("paystack").circuitBreaker(CircuitBreakerSettings.failures(0, 5)),
        "circuitBreaker.failureThreshold");
    assertSetting(
        Resilience.builder("paystack").circuitBreaker(CircuitBreakerSettings.failures(5, 4)),
        "circuitBreaker.failureWindow");
    assertSetting(
        Resilience.builder("paystack")
            .circuitBreaker(CircuitBreakerSettings.failures(5, 10).openFor(Duration.ZERO)),
        "circuitBreaker.delay");
    assertSetting(
        Resilience.builder("paystack")
            .circuitBreaker(CircuitBreakerSettings.failures(5, 10).successThreshold(0)),
        "circuitBreaker.successThreshold");
    assertSetting(
        Resilience.builder("paystack").bulkhead(0, Duration.ZERO), "bulkhead.maxConcurrent");
    assertSetting(Resilience.builder("paystack").bulkhead(1, ofMillis(-1)), "bulkhead.maxWait");
  }

  private static void assertSetting(Resilience.Builder builder, String setting) {
    assertThatThrownBy(builder::build)
        .as(setting)
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting));
  }

  private static Duration ofMillis(long millis) {
    return Duration.ofMillis(millis);
  }

  /** A client's own rate-limit exception, read by a custom retry-after function. */
  private static final class RateLimited extends Exception {
    private static final long serialVersionUID = 1L;
    final Duration wait;

    RateLimited(Duration wait) {
      super("429");
      this.wait = wait;
    }
  }
}
