package dev.odim.queue;

import dev.odim.queue.internal.WorkerRuntime;
import dev.odim.queue.internal.WorkerSettings;

/**
 * Runs jobs of one queue: leases due jobs in batches, runs each on a virtual thread under its
 * timeout, heartbeats the leases, completes, retries or dead-letters, and fires schedules. {@link
 * #close()} stops leasing, lets running jobs finish within the grace period, then interrupts the
 * rest and hands their leases back.
 */
public final class Worker implements AutoCloseable {
  private final WorkerRuntime runtime;

  Worker(WorkerSettings settings) {
    this.runtime = new WorkerRuntime(settings);
  }

  /** Starts leasing and running jobs; a second call does nothing. */
  public void start() {
    runtime.start();
  }

  /** This worker's id, as written in leases and attempt histories. */
  public String id() {
    return runtime.workerId();
  }

  /**
   * How many jobs this worker holds now: running, or succeeded and waiting for their completion to
   * be written with the next batch.
   */
  public int held() {
    return runtime.held();
  }

  /**
   * Stops gracefully (see the class comment); returns when every lease is completed or returned.
   */
  @Override
  public void close() {
    runtime.close();
  }
}
