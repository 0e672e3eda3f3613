package dev.odim.payments.reconciliation;

/**
 * Counts of this instance since it started, for a host to meter (e.g. as Micrometer function
 * counters: {@code odim_reconciliation_runs_total{outcome="succeeded"|"failed"}}).
 *
 * @param succeeded runs (attempts) that finished
 * @param failed attempts that failed
 * @param repaired pairs repaired
 */
public record RunCounters(long succeeded, long failed, long repaired) {}
