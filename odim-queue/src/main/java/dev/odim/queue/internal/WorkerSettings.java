package dev.odim.queue.internal;

import dev.odim.queue.JobHandler;
import dev.odim.queue.JobListener;
import dev.odim.queue.Schedule;
import dev.odim.queue.TransactionalJobHandler;
import dev.odim.queue.spi.JobBackend;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The validated settings of a worker, as {@code WorkerBuilder} made them. */
public record WorkerSettings(
    JobBackend backend,
    Clock clock,
    String queue,
    String workerId,
    Map<String, Registration> handlers,
    int concurrency,
    int prefetch,
    int fetchBatch,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration pollInterval,
    Duration defaultTimeout,
    Duration shutdownGrace,
    Duration completionDelay,
    List<Schedule> schedules,
    Map<String, RateLimit> rateLimits,
    List<JobListener> listeners,
    MeterRegistry meterRegistry) {
  /** A handler as registered: exactly one of the two is set. */
  public record Registration(
      @Nullable JobHandler plain, @Nullable TransactionalJobHandler transactional) {}

  /** A limit of {@code permits} runs per {@code period} for one job type, in this worker. */
  public record RateLimit(long permits, Duration period) {}
}
