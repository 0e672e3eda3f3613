package dev.odim.queue.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.queue.Attempt;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobState;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueException;
import dev.odim.queue.spi.LeasedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Converts between the queue's records and what the scripts store and answer: a job is a Redis hash
 * of strings, times are epoch milliseconds, an absent option is the empty string, and the attempt
 * history is a JSON array.
 */
public final class JobFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobFields() {}

  /** The ten arguments of one job for enqueue.lua and fire_schedule.lua. */
  public static List<String> enqueueArgs(NewJob job, Instant now) {
    UUID id = job.id();
    if (id == null) {
      throw new IllegalArgumentException("a job reaches the backend with an id");
    }
    Instant runAt = job.runAt() == null ? now : job.runAt();
    Duration timeout = job.timeout();
    return List.of(
        id.toString(),
        job.type(),
        job.payload(),
        orEmpty(job.deduplicationKey()),
        orEmpty(job.orderingKey()),
        Integer.toString(job.priority()),
        Long.toString(runAt.toEpochMilli()),
        Integer.toString(job.maxAttempts()),
        job.backoff().spec(),
        timeout == null ? "" : Long.toString(timeout.toMillis()));
  }

  /** One row of lease.lua's answer as a lease held by {@code worker} since {@code now}. */
  public static LeasedJob leased(List<?> row, String queue, String worker, Instant now) {
    return new LeasedJob(
        UUID.fromString(text(row.get(0))),
        queue,
        text(row.get(1)),
        text(row.get(2)),
        ((Long) row.get(3)).intValue(),
        Integer.parseInt(text(row.get(4))),
        Backoff.parse(text(row.get(5))),
        duration(text(row.get(6))),
        emptyAsNull(text(row.get(7))),
        instant(text(row.get(8))),
        UUID.fromString(text(row.get(9))),
        worker,
        now);
  }

  /**
   * A job's hash as the admin service shows it.
   *
   * @param attempts the attempts made, from the queue's attempts hash
   * @param leased whether the job has a lease record (it is running, whatever its hash says)
   */
  public static JobInfo info(
      UUID id, String queue, Map<String, String> hash, int attempts, boolean leased) {
    String finishedAt = hash.get("finished_at");
    return new JobInfo(
        id,
        queue,
        hash.get("type"),
        hash.get("payload"),
        leased ? JobState.RUNNING : state(hash.get("state")),
        Integer.parseInt(hash.get("priority")),
        instant(hash.get("run_at")),
        attempts,
        Integer.parseInt(hash.get("max_attempts")),
        emptyAsNull(hash.get("dedup")),
        emptyAsNull(hash.get("ordering")),
        instant(hash.get("created_at")),
        history(hash.get("history")),
        hash.get("reason"),
        finishedAt == null ? null : instant(finishedAt));
  }

  /** A blocked job, which waits its turn behind an earlier job of its ordering key, is waiting. */
  private static JobState state(String state) {
    return switch (state) {
      case "waiting", "blocked" -> JobState.WAITING;
      case "scheduled" -> JobState.SCHEDULED;
      case "dead" -> JobState.DEAD;
      default -> throw new QueueException("a job in Redis has an unknown state: " + state);
    };
  }

  /** One attempt as the JSON object the scripts append to a job's history. */
  public static String attemptJson(Attempt attempt) {
    ObjectNode node = JSON.createObjectNode();
    node.put("number", attempt.number());
    node.put("startedAt", attempt.startedAt().toEpochMilli());
    node.put("failedAt", attempt.failedAt().toEpochMilli());
    node.put("worker", attempt.worker());
    node.put("errorClass", attempt.errorClass());
    node.put("message", attempt.message());
    node.put("stackSummary", attempt.stackSummary());
    return node.toString();
  }

  static List<Attempt> history(String json) {
    try {
      List<Attempt> history = new ArrayList<>();
      for (JsonNode node : JSON.readTree(json)) {
        history.add(
            new Attempt(
                node.get("number").asInt(),
                Instant.ofEpochMilli(node.get("startedAt").asLong()),
                Instant.ofEpochMilli(node.get("failedAt").asLong()),
                node.get("worker").asText(),
                node.get("errorClass").asText(),
                nullableText(node.get("message")),
                nullableText(node.get("stackSummary"))));
      }
      return history;
    } catch (JsonProcessingException e) {
      throw new QueueException("a job's history in Redis is not JSON: " + e.getMessage(), e);
    }
  }

  private static @Nullable String nullableText(@Nullable JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static String text(@Nullable Object value) {
    return value == null ? "" : value.toString();
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }

  private static @Nullable String emptyAsNull(@Nullable String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static @Nullable Duration duration(String millis) {
    return millis.isEmpty() ? null : Duration.ofMillis(Long.parseLong(millis));
  }

  private static Instant instant(String millis) {
    return Instant.ofEpochMilli(Long.parseLong(millis));
  }
}
