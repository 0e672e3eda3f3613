package dev.odim.queue;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a job, as its handler sees it.
 *
 * @param attempt this attempt's number, 1 for the first
 * @param worker the id of the worker running it
 */
public record JobContext(
    UUID id,
    String queue,
    String type,
    String payload,
    int attempt,
    int maxAttempts,
    @Nullable String orderingKey,
    Instant createdAt,
    String worker) {

  /** Whether a failure of this attempt sends the job to the dead letters. */
  public boolean isLastAttempt() {
    return attempt >= maxAttempts;
  }
}
