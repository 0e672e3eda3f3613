package dev.odim.payments.reconciliation;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One reconciliation run, as recorded (or, for a dry run, as it would have been).
 *
 * @param id its id
 * @param trigger what started it
 * @param dryRun whether it only reported (a dry run is never stored)
 * @param from the window's start: records created at or after it
 * @param to the window's end, exclusive
 * @param status running, succeeded or failed
 * @param attempts how many times it was started (a failed run is resumed by the next attempt)
 * @param counts how many pairs fell into each category (categories with none are absent)
 * @param repaired how many of the {@link Category#STATUS_MISMATCH} pairs were repaired (settled, or
 *     marked failed or abandoned), or would have been in a dry run
 * @param startedAt when its first attempt started
 * @param finishedAt when it ended, or null while running
 * @param duration how long its last attempt took, or null while running
 * @param error why it failed, empty otherwise
 */
public record RunRecord(
    UUID id,
    RunTrigger trigger,
    boolean dryRun,
    Instant from,
    Instant to,
    RunStatus status,
    int attempts,
    Map<Category, Long> counts,
    long repaired,
    Instant startedAt,
    @Nullable Instant finishedAt,
    @Nullable Duration duration,
    String error) {

  public RunRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    counts = Map.copyOf(counts);
  }

  /** The pairs in {@code category}, 0 when none. */
  public long count(Category category) {
    return counts.getOrDefault(category, 0L);
  }

  /** Every pair the run classified (each provider record and each local record once). */
  public long total() {
    return counts.entrySet().stream()
        .filter(e -> e.getKey() != Category.LEDGER_DRIFT)
        .mapToLong(Map.Entry::getValue)
        .sum();
  }
}
