package dev.odim.queue.internal;

import dev.odim.queue.QueueCounts;
import dev.odim.queue.spi.JobBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * A worker's meters: counters per job type, a timer of handler runs, and gauges of the queue's
 * counts by state. The gauges read the backend at most once per {@link #COUNTS_TTL}, however often
 * they are scraped.
 */
final class Metrics implements AutoCloseable {
  private static final Duration COUNTS_TTL = Duration.ofSeconds(5);

  private final MeterRegistry registry;
  private final JobBackend backend;
  private final String queue;
  private final Clock clock;
  private final List<Meter> gauges = new ArrayList<>();

  // The two meters every job touches, looked up once per type instead of built per job.
  private final Map<String, Counter> succeeded = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private @Nullable QueueCounts counts;
  private long countsReadAt;

  Metrics(MeterRegistry registry, JobBackend backend, String queue, Clock clock) {
    this.registry = registry;
    this.backend = backend;
    this.queue = queue;
    this.clock = clock;
    gauge("waiting", QueueCounts::waiting);
    gauge("scheduled", QueueCounts::scheduled);
    gauge("running", QueueCounts::running);
    gauges.add(
        Gauge.builder("odim.dead.letters", this, m -> m.read(QueueCounts::dead))
            .description("jobs in the dead letters")
            .tag("queue", queue)
            .register(registry));
    gauges.add(
        Gauge.builder(
                "odim.queue.oldest.waiting",
                this,
                m -> m.read(c -> c.oldestWaiting().toMillis() / 1000.0))
            .description("how long the oldest due job has waited")
            .baseUnit("seconds")
            .tag("queue", queue)
            .register(registry));
  }

  private void gauge(String state, ToDoubleFunction<QueueCounts> value) {
    gauges.add(
        Gauge.builder("odim.queue.jobs", this, m -> m.read(value))
            .description("jobs in the queue by state")
            .tags("queue", queue, "state", state)
            .register(registry));
  }

  private synchronized double read(ToDoubleFunction<QueueCounts> value) {
    long now = System.nanoTime();
    if (counts == null || now - countsReadAt > COUNTS_TTL.toNanos()) {
      try {
        counts = backend.counts(queue, clock.instant());
        countsReadAt = now;
      } catch (RuntimeException e) {
        return Double.NaN;
      }
    }
    return value.applyAsDouble(counts);
  }

  void succeeded(String type) {
    succeeded.computeIfAbsent(type, t -> counter("odim.queue.jobs.succeeded", t)).increment();
  }

  void retried(String type) {
    counter("odim.queue.jobs.retried", type).increment();
    counter("odim.queue.jobs.failed", type).increment();
  }

  void deadLettered(String type) {
    counter("odim.queue.jobs.dead.lettered", type).increment();
    counter("odim.queue.jobs.failed", type).increment();
  }

  void ran(String type, Duration took) {
    durations
        .computeIfAbsent(
            type,
            t ->
                Timer.builder("odim.queue.job.duration")
                    .tags("queue", queue, "type", t)
                    .register(registry))
        .record(took);
  }

  void scheduleFired(String schedule) {
    Counter.builder("odim.queue.schedules.fired")
        .tags("queue", queue, "schedule", schedule)
        .register(registry)
        .increment();
  }

  void backendError() {
    Counter.builder("odim.queue.backend.errors")
        .tags("queue", queue, "backend", backend.name())
        .register(registry)
        .increment();
  }

  private Counter counter(String name, String type) {
    return Counter.builder(name).tags("queue", queue, "type", type).register(registry);
  }

  @Override
  public void close() {
    gauges.forEach(registry::remove);
  }
}
