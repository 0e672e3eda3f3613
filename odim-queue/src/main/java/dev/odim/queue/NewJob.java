package dev.odim.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job to enqueue: its type (which handler runs it), a JSON payload and the options of its run.
 * Build one with {@link #of(String, String)}; the record is immutable and every {@code with}-style
 * builder method returns a new one.
 *
 * <pre>{@code
 * NewJob job = NewJob.of("send-receipt", "{\"paymentId\":\"...\"}")
 *     .deduplicationKey("receipt:" + paymentId)
 *     .orderingKey("payment:" + paymentId)
 *     .maxAttempts(3)
 *     .backoff(Backoff.spread(3, Duration.ofHours(24)));
 * }</pre>
 *
 * @param id the job's id; null lets the queue choose a time-ordered UUID at enqueue
 * @param queue the named queue a worker consumes; default {@code default}
 * @param type the handler's name, 1 to 200 characters
 * @param payload a JSON value, at most the queue's maximum payload size (default 1 MiB)
 * @param deduplicationKey while a job with this key is not finished, enqueuing another with the
 *     same key (in the same queue) is a no-op that returns the first job's id
 * @param orderingKey jobs sharing this key run one at a time, in enqueue order
 * @param priority smaller runs first among due jobs (as in Graphile Worker and BullMQ), -1000 to
 *     1000, default 0
 * @param runAt when the job becomes due; null means now
 * @param maxAttempts attempts before the job goes to the dead letters, 1 to 1000, default 10
 * @param backoff the waits between attempts
 * @param timeout how long one attempt may run before it is interrupted and counted as failed; null
 *     takes the worker's default
 */
public record NewJob(
    @Nullable UUID id,
    String queue,
    String type,
    String payload,
    @Nullable String deduplicationKey,
    @Nullable String orderingKey,
    int priority,
    @Nullable Instant runAt,
    int maxAttempts,
    Backoff backoff,
    @Nullable Duration timeout) {

  public static final String DEFAULT_QUEUE = "default";
  public static final int DEFAULT_MAX_ATTEMPTS = 10;

  public NewJob {
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(backoff, "backoff");
  }

  /** A job of {@code type} with a JSON {@code payload} and every option at its default. */
  public static NewJob of(String type, String payload) {
    return new NewJob(
        null,
        DEFAULT_QUEUE,
        type,
        payload,
        null,
        null,
        0,
        null,
        DEFAULT_MAX_ATTEMPTS,
        Backoff.defaults(),
        null);
  }

  public NewJob id(@Nullable UUID id) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob queue(String queue) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob payload(String payload) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob deduplicationKey(@Nullable String deduplicationKey) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob orderingKey(@Nullable String orderingKey) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob priority(int priority) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob runAt(@Nullable Instant runAt) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob maxAttempts(int maxAttempts) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob backoff(Backoff backoff) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }

  public NewJob timeout(@Nullable Duration timeout) {
    return new NewJob(
        id,
        queue,
        type,
        payload,
        deduplicationKey,
        orderingKey,
        priority,
        runAt,
        maxAttempts,
        backoff,
        timeout);
  }
}
