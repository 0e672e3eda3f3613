package dev.odim.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.queue.Backoff;
import dev.odim.queue.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job on its way through an outbox relay, as the relay job's JSON payload: every field of the
 * {@link NewJob}, the payload kept as a string so that it arrives byte for byte, and times in ISO
 * 8601 so that an operator can read a relay job in the outbox's dead letters.
 */
public final class RelayedJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RelayedJob() {}

  public static String toJson(NewJob job) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", String.valueOf(job.id()));
    node.put("queue", job.queue());
    node.put("type", job.type());
    node.put("payload", job.payload());
    node.put("deduplicationKey", job.deduplicationKey());
    node.put("orderingKey", job.orderingKey());
    node.put("priority", job.priority());
    node.put("runAt", job.runAt() == null ? null : job.runAt().toString());
    node.put("maxAttempts", job.maxAttempts());
    node.put("backoff", job.backoff().spec());
    node.put("timeout", job.timeout() == null ? null : job.timeout().toString());
    return node.toString();
  }

  /**
   * @throws IllegalArgumentException when {@code json} is not a relayed job
   */
  public static NewJob fromJson(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      String runAt = text(node, "runAt");
      String timeout = text(node, "timeout");
      return new NewJob(
          UUID.fromString(node.required("id").asText()),
          node.required("queue").asText(),
          node.required("type").asText(),
          node.required("payload").asText(),
          text(node, "deduplicationKey"),
          text(node, "orderingKey"),
          node.required("priority").asInt(),
          runAt == null ? null : Instant.parse(runAt),
          node.required("maxAttempts").asInt(),
          Backoff.parse(node.required("backoff").asText()),
          timeout == null ? null : Duration.parse(timeout));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("not a relayed job: " + e.getMessage(), e);
    }
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
