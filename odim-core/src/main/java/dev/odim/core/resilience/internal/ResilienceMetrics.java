package dev.odim.core.resilience.internal;

import dev.failsafe.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one dependency. Failsafe has no metrics module, so its listeners and the call
 * wrapper report here. Meter names are dotted Micrometer names; Prometheus shows them with
 * underscores, e.g. {@code odim_circuit_breaker_state}.
 */
public final class ResilienceMetrics {
  /** Outcome tag values of {@code odim.resilience.calls}. */
  public enum Outcome {
    SUCCESS("success"),
    FAILURE("failure"),
    REJECTED("rejected");

    private final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }
  }

  private final MeterRegistry registry;
  private final String dependency;
  private final Counter retries;
  private final Counter timeouts;
  private final Counter bulkheadRejected;
  private final Map<Outcome, Counter> calls = new EnumMap<>(Outcome.class);
  private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);

  public ResilienceMetrics(MeterRegistry registry, String dependency) {
    this.registry = registry;
    this.dependency = dependency;
    this.retries =
        Counter.builder("odim.resilience.retries")
            .description("Attempts after the first one")
            .tag("dependency", dependency)
            .register(registry);
    this.timeouts =
        Counter.builder("odim.resilience.timeouts")
            .description("Attempts cut off by the per-attempt timeout")
            .tag("dependency", dependency)
            .register(registry);
    this.bulkheadRejected =
        Counter.builder("odim.resilience.bulkhead.rejected")
            .description("Calls rejected because the bulkhead was full")
            .tag("dependency", dependency)
            .register(registry);
    // registered up front so dashboards see zeros rather than missing series
    for (var outcome : Outcome.values()) {
      calls.put(
          outcome,
          Counter.builder("odim.resilience.calls")
              .description("Calls to a dependency by outcome")
              .tag("dependency", dependency)
              .tag("outcome", outcome.tag)
              .register(registry));
      durations.put(
          outcome,
          Timer.builder("odim.resilience.call.duration")
              .description("Duration of calls including retries, backoff and bulkhead waits")
              .tag("dependency", dependency)
              .tag("outcome", outcome.tag)
              .register(registry));
    }
  }

  /**
   * Registers {@code odim.circuit.breaker.state}: 0 closed, 1 half-open, 2 open. Failsafe moves
   * from open to half-open only when the next call asks for a permit, so an open breaker whose
   * delay has passed reports 1: the next call will be let through as a trial.
   */
  public void watch(CircuitBreaker<?> breaker) {
    Gauge.builder("odim.circuit.breaker.state", breaker, ResilienceMetrics::stateValue)
        .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
        .tag("dependency", dependency)
        .strongReference(true)
        .register(registry);
  }

  static double stateValue(CircuitBreaker<?> breaker) {
    return switch (breaker.getState()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> breaker.getRemainingDelay().isZero() ? 1 : 2;
    };
  }

  public void retried() {
    retries.increment();
  }

  public void timedOut() {
    timeouts.increment();
  }

  /** Records one finished call: its outcome, and its duration including retries and waits. */
  public void called(Outcome outcome, long startNanos) {
    calls.get(outcome).increment();
    durations.get(outcome).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  public void bulkheadRejected() {
    bulkheadRejected.increment();
  }
}
