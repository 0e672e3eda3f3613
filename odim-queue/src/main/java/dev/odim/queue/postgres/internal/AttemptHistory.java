package dev.odim.queue.postgres.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.queue.Attempt;
import dev.odim.queue.QueueException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A job's failed attempts as the {@code history} column stores them: a JSON array of objects with
 * the fields of {@link Attempt}, instants in ISO-8601. The lease statement writes the attempts that
 * expired leases cost in SQL, in the same shape.
 */
final class AttemptHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AttemptHistory() {}

  /** A one-element JSON array, for the {@code history || :attempt::jsonb} of a write. */
  static String append(Attempt attempt) {
    ObjectNode node = JSON.createObjectNode();
    node.put("number", attempt.number());
    node.put("startedAt", attempt.startedAt().toString());
    node.put("failedAt", attempt.failedAt().toString());
    node.put("worker", attempt.worker());
    node.put("errorClass", attempt.errorClass());
    node.put("message", attempt.message());
    node.put("stackSummary", attempt.stackSummary());
    ArrayNode array = JSON.createArrayNode();
    array.add(node);
    return array.toString();
  }

  static List<Attempt> parse(String json) {
    try {
      List<Attempt> attempts = new ArrayList<>();
      for (JsonNode node : JSON.readTree(json)) {
        attempts.add(
            new Attempt(
                node.path("number").asInt(),
                instant(node.path("startedAt").asText()),
                instant(node.path("failedAt").asText()),
                node.path("worker").asText(),
                node.path("errorClass").asText(),
                textOrNull(node.get("message")),
                textOrNull(node.get("stackSummary"))));
      }
      return attempts;
    } catch (JsonProcessingException | RuntimeException e) {
      throw new QueueException("a job's attempt history is not readable: " + json, e);
    }
  }

  /** Java writes {@code ...Z}; PostgreSQL's {@code to_jsonb} writes an offset such as +01:00. */
  private static Instant instant(String text) {
    return OffsetDateTime.parse(text).toInstant();
  }

  private static @Nullable String textOrNull(@Nullable JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
