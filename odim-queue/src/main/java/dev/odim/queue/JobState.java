package dev.odim.queue;

/** Where a job is in its life. Succeeded jobs are removed, so they have no state to count. */
public enum JobState {
  /** Due now and waiting for a worker. */
  WAITING,
  /** Due later: a run-at in the future or a retry after backoff. */
  SCHEDULED,
  /** Leased by a worker that is running it. */
  RUNNING,
  /** Out of attempts, or failed permanently; kept with its history until replayed or discarded. */
  DEAD
}
