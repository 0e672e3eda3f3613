package dev.odim.queue.spi;

import dev.odim.queue.Backoff;
import dev.odim.queue.JobContext;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job leased to one worker for one attempt. The lease token proves ownership: every state move a
 * backend makes for this attempt (complete, retry, dead-letter, release, heartbeat) applies only
 * while the job still carries this token, so a worker whose lease expired and was taken over cannot
 * finish the job a second time.
 *
 * @param attempt this attempt's number, 1 for the first
 * @param startedAt when the lease was taken (the backend's {@code now})
 */
public record LeasedJob(
    UUID id,
    String queue,
    String type,
    String payload,
    int attempt,
    int maxAttempts,
    Backoff backoff,
    @Nullable Duration timeout,
    @Nullable String orderingKey,
    Instant createdAt,
    UUID leaseToken,
    String worker,
    Instant startedAt) {

  /** This attempt as its handler sees it. */
  public JobContext context() {
    return new JobContext(
        id, queue, type, payload, attempt, maxAttempts, orderingKey, createdAt, worker);
  }
}
