package dev.odim.testkit.paystack.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.testkit.paystack.SimulatorResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** JSON reading and writing, and Paystack's envelope: {@code {status, message, data, meta}}. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Paystack's timestamps: UTC with milliseconds, {@code 2026-01-01T00:00:00.000Z}. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final Map<String, String> JSON_HEADERS =
      Map.of("Content-Type", "application/json; charset=utf-8", "Cache-Control", "no-store");

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String time(Instant instant) {
    return TIME.format(instant);
  }

  static void putTime(ObjectNode node, String field, @Nullable Instant instant) {
    if (instant == null) {
      node.putNull(field);
    } else {
      node.put(field, time(instant));
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /** The body parsed as JSON, or null when it is not a JSON object. */
  static @Nullable ObjectNode parseObject(byte[] body) {
    try {
      JsonNode node = MAPPER.readTree(body);
      return node instanceof ObjectNode object ? object : null;
    } catch (IOException e) {
      return null;
    }
  }

  static SimulatorResponse respond(int status, JsonNode body) {
    return new SimulatorResponse(status, JSON_HEADERS, bytes(body));
  }

  static SimulatorResponse ok(int status, String message, JsonNode data) {
    ObjectNode body = object();
    body.put("status", true);
    body.put("message", message);
    body.set("data", data);
    return respond(status, body);
  }

  static SimulatorResponse error(int status, String message) {
    ObjectNode body = object();
    body.put("status", false);
    body.put("message", message);
    return respond(status, body);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
