package dev.odim.payments.reconciliation;

/**
 * Hears how runs end, e.g. to meter them ({@code odim_reconciliation_runs_total} by outcome) and to
 * raise the {@code reconciliation job failure} alert. Called after the run's outcome is stored,
 * outside any transaction; an exception thrown here is ignored by the run. Dry runs are not
 * reported.
 */
public interface ReconciliationListener {
  /** Hears nothing. */
  ReconciliationListener NONE = new ReconciliationListener() {};

  /** A run finished: every pair classified, repairs made, discrepancies recorded. */
  default void succeeded(RunRecord run) {}

  /**
   * A run failed ({@code run.error()} says why); the next attempt resumes it. When the run is the
   * scheduled job's, the queue retries it with the job's backoff.
   */
  default void failed(RunRecord run, Throwable error) {}
}
