package dev.odim.queue;

import dev.odim.core.OdimConfigException;
import dev.odim.queue.internal.WorkerSettings;
import dev.odim.queue.internal.WorkerSettings.RateLimit;
import dev.odim.queue.internal.WorkerSettings.Registration;
import dev.odim.queue.spi.JobBackend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Configures a {@link Worker}: the queue it consumes, a handler per job type, and how hard it
 * works. Every setting is validated by {@link #build()}; the built worker is immutable.
 *
 * <pre>{@code
 * Worker worker = queue.worker()
 *     .queue("webhooks")
 *     .handler("paystack.charge.success", job -> settle(job.payload()))
 *     .transactionalHandler("payout", (job, handle) -> recordPayout(handle, job.payload()))
 *     .concurrency(50)
 *     .rateLimit("payout", 10, Duration.ofSeconds(1))
 *     .schedule(Schedule.cron("reconcile", "0 * * * *", ZoneOffset.UTC, NewJob.of("reconcile", "{}")))
 *     .start();
 * }</pre>
 */
public final class WorkerBuilder {
  private final JobBackend backend;
  private final Clock clock;
  private String queue = NewJob.DEFAULT_QUEUE;
  private String workerId = defaultWorkerId();
  private final Map<String, Registration> handlers = new LinkedHashMap<>();
  private int concurrency = 10;
  private int prefetch = 0;
  private int fetchBatch = 0;
  private Duration leaseDuration = Duration.ofSeconds(30);
  private Duration pollInterval = Duration.ofSeconds(1);
  private Duration defaultTimeout = Duration.ofMinutes(5);
  private Duration shutdownGrace = Duration.ofSeconds(10);
  private Duration completionDelay = Duration.ofMillis(2);
  private final List<Schedule> schedules = new ArrayList<>();
  private final Map<String, RateLimit> rateLimits = new LinkedHashMap<>();
  private final List<JobListener> listeners = new ArrayList<>();
  private MeterRegistry meterRegistry = new CompositeMeterRegistry();

  WorkerBuilder(JobBackend backend, Clock clock) {
    this.backend = backend;
    this.clock = clock;
  }

  /** The queue to consume; default {@code default}. */
  public WorkerBuilder queue(String queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
    return this;
  }

  /** This worker's id in leases and attempt histories; default host, pid and a random suffix. */
  public WorkerBuilder workerId(String workerId) {
    this.workerId = Objects.requireNonNull(workerId, "workerId");
    return this;
  }

  /** Runs jobs of {@code type} with {@code handler} (at-least-once; make it idempotent). */
  public WorkerBuilder handler(String type, JobHandler handler) {
    return register(type, new Registration(Objects.requireNonNull(handler, "handler"), null));
  }

  /** Runs jobs of {@code type} with writes that commit with the job's completion. */
  public WorkerBuilder transactionalHandler(String type, TransactionalJobHandler handler) {
    return register(type, new Registration(null, Objects.requireNonNull(handler, "handler")));
  }

  /** How many jobs run at once, each on its own virtual thread, 1 to 10,000; default 10. */
  public WorkerBuilder concurrency(int concurrency) {
    this.concurrency = concurrency;
    return this;
  }

  /**
   * How many jobs the worker may lease ahead of its free run slots, 0 to 10,000; default 0. A
   * prefetched job waits in this worker, leased and heartbeated, until a slot frees: fewer, larger
   * leases for short jobs (Graphile Worker's "local queue"), at the cost of holding jobs another
   * worker could have run. Its timeout starts when it starts.
   */
  public WorkerBuilder prefetch(int prefetch) {
    this.prefetch = prefetch;
    return this;
  }

  /**
   * The most jobs leased in one call to the backend, 1 to 1,000; default concurrency plus prefetch,
   * capped at 200.
   */
  public WorkerBuilder fetchBatch(int fetchBatch) {
    this.fetchBatch = fetchBatch;
    return this;
  }

  /**
   * How long a lease lasts without a heartbeat, 1 s to 1 h; default 30 s. A worker heartbeats every
   * third of it; a job whose worker died is run again this long after its last heartbeat.
   */
  public WorkerBuilder leaseDuration(Duration leaseDuration) {
    this.leaseDuration = Objects.requireNonNull(leaseDuration, "leaseDuration");
    return this;
  }

  /**
   * How long an idle worker waits before it looks for due jobs again, 10 ms to 1 min; default 1 s.
   * A backend that announces new jobs wakes it sooner; delayed jobs and retries are found by this
   * poll.
   */
  public WorkerBuilder pollInterval(Duration pollInterval) {
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    return this;
  }

  /** The timeout of a job that sets none, 1 ms to 24 h; default 5 min. */
  public WorkerBuilder defaultTimeout(Duration defaultTimeout) {
    this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    return this;
  }

  /**
   * How long {@link Worker#close()} lets running jobs finish before it interrupts them and hands
   * them back, 0 to 10 min; default 10 s.
   */
  public WorkerBuilder shutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    return this;
  }

  /**
   * How long a succeeded job may wait so that its completion is written together with others', 0 to
   * 1 s; default 2 ms. Zero writes each completion on its own.
   */
  public WorkerBuilder completionDelay(Duration completionDelay) {
    this.completionDelay = Objects.requireNonNull(completionDelay, "completionDelay");
    return this;
  }

  /** Fires {@code schedule} (each slot once across every worker that carries it). */
  public WorkerBuilder schedule(Schedule schedule) {
    schedules.add(Objects.requireNonNull(schedule, "schedule"));
    return this;
  }

  /**
   * At most {@code permits} jobs of {@code type} start per {@code period} in this worker: a job
   * over the limit waits, leased and heartbeated, for its turn.
   */
  public WorkerBuilder rateLimit(String type, long permits, Duration period) {
    rateLimits.put(
        Objects.requireNonNull(type, "type"),
        new RateLimit(permits, Objects.requireNonNull(period, "period")));
    return this;
  }

  /** Adds a listener that hears every job's start, success, retry and death. */
  public WorkerBuilder listener(JobListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** Where the worker's meters go; default nowhere. */
  public WorkerBuilder meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /**
   * Validates the settings and builds a worker that is not yet running.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public Worker build() {
    if (handlers.isEmpty() && schedules.isEmpty()) {
      throw new OdimConfigException("handlers", "register at least one handler or schedule");
    }
    check("concurrency", concurrency >= 1 && concurrency <= 10_000, concurrency);
    check("prefetch", prefetch >= 0 && prefetch <= 10_000, prefetch);
    int batch = fetchBatch == 0 ? Math.min(concurrency + prefetch, 200) : fetchBatch;
    check("fetchBatch", batch >= 1 && batch <= 1_000, fetchBatch);
    check(
        "leaseDuration",
        within(leaseDuration, Duration.ofSeconds(1), Duration.ofHours(1)),
        leaseDuration);
    check(
        "pollInterval",
        within(pollInterval, Duration.ofMillis(10), Duration.ofMinutes(1)),
        pollInterval);
    check(
        "defaultTimeout",
        within(defaultTimeout, Duration.ofMillis(1), Duration.ofHours(24)),
        defaultTimeout);
    check(
        "shutdownGrace",
        within(shutdownGrace, Duration.ZERO, Duration.ofMinutes(10)),
        shutdownGrace);
    check(
        "completionDelay",
        within(completionDelay, Duration.ZERO, Duration.ofSeconds(1)),
        completionDelay);
    check("workerId", !workerId.isBlank() && workerId.length() <= 200, workerId);
    for (Map.Entry<String, RateLimit> limit : rateLimits.entrySet()) {
      RateLimit value = limit.getValue();
      check(
          "rateLimit(" + limit.getKey() + ")",
          value.permits() >= 1 && within(value.period(), Duration.ofMillis(1), Duration.ofDays(1)),
          value);
    }
    List<String> names = schedules.stream().map(Schedule::name).toList();
    check("schedule", names.size() == names.stream().distinct().count(), names);
    return new Worker(
        new WorkerSettings(
            backend,
            clock,
            queue,
            workerId,
            Map.copyOf(handlers),
            concurrency,
            prefetch,
            batch,
            leaseDuration,
            leaseDuration.dividedBy(3),
            pollInterval,
            defaultTimeout,
            shutdownGrace,
            completionDelay,
            List.copyOf(schedules),
            Map.copyOf(rateLimits),
            List.copyOf(listeners),
            meterRegistry));
  }

  /** {@link #build()} and {@link Worker#start()} in one call. */
  public Worker start() {
    Worker worker = build();
    worker.start();
    return worker;
  }

  private WorkerBuilder register(String type, Registration registration) {
    Objects.requireNonNull(type, "type");
    if (handlers.putIfAbsent(type, registration) != null) {
      throw new OdimConfigException("handler", "a handler for \"" + type + "\" is registered");
    }
    return this;
  }

  private static boolean within(Duration value, Duration min, Duration max) {
    return value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
  }

  private static void check(String setting, boolean valid, Object value) {
    if (!valid) {
      throw new OdimConfigException(setting, "out of range: " + value);
    }
  }

  private static String defaultWorkerId() {
    return ManagementFactory.getRuntimeMXBean().getName()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }
}
