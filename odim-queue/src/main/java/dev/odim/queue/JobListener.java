package dev.odim.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * Hears what a worker does with each job, for logs, traces and custom metrics. Called on the job's
 * thread; an exception thrown by a listener is swallowed so that it cannot fail the job.
 */
public interface JobListener {
  default void started(JobContext job) {}

  default void succeeded(JobContext job, Duration took) {}

  /** The attempt failed and the job runs again at {@code nextRunAt}. */
  default void retryScheduled(JobContext job, Throwable failure, Instant nextRunAt) {}

  /** The job was moved to the dead letters ({@code failure} may be null for an unknown type). */
  default void deadLettered(JobContext job, String reason) {}
}
