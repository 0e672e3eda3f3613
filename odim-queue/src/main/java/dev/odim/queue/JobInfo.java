package dev.odim.queue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job as the admin service shows it: live (waiting, scheduled, running) or dead.
 *
 * @param attempts the attempts made so far, counting one that is running
 * @param history the failed attempts, oldest first
 * @param reason for a dead job, why it was given up (the last error, or a permanent failure)
 * @param finishedAt for a dead job, when it died
 */
public record JobInfo(
    UUID id,
    String queue,
    String type,
    String payload,
    JobState state,
    int priority,
    Instant runAt,
    int attempts,
    int maxAttempts,
    @Nullable String deduplicationKey,
    @Nullable String orderingKey,
    Instant createdAt,
    List<Attempt> history,
    @Nullable String reason,
    @Nullable Instant finishedAt) {

  public JobInfo {
    history = List.copyOf(history);
  }
}
