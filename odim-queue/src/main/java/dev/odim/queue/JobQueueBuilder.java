package dev.odim.queue;

import dev.odim.core.OdimConfigException;
import dev.odim.queue.spi.JobBackend;
import java.time.Clock;
import java.util.Objects;

/** Configures a {@link JobQueue}; {@link #build()} validates every setting. */
public final class JobQueueBuilder {
  private final JobBackend backend;
  private Clock clock = Clock.systemUTC();
  private int maxPayloadBytes = 1 << 20;

  JobQueueBuilder(JobBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /** The clock for run-at times, ids, leases and backoff; default the system clock in UTC. */
  public JobQueueBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The largest payload accepted, in UTF-8 bytes, 1 KiB to 64 MiB; default 1 MiB. */
  public JobQueueBuilder maxPayloadBytes(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
    return this;
  }

  /**
   * Validates the settings and builds the queue.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public JobQueue build() {
    if (maxPayloadBytes < 1024 || maxPayloadBytes > 64 << 20) {
      throw new OdimConfigException(
          "maxPayloadBytes", "must be 1024 to 67108864, was " + maxPayloadBytes);
    }
    return new JobQueue(backend, clock, maxPayloadBytes);
  }
}
