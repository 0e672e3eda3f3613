package dev.odim.webhooks.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.odim.webhooks.internal.JsonFactories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/** Reading provider bodies, and the keys derived from them, the same way for every provider. */
final class Json {
  private Json() {}

  /**
   * Strict: a duplicated field ({@code "event"} twice) or trailing garbage makes the body
   * ambiguous, and an ambiguous payment event goes to dead letters rather than being guessed at.
   * Source text is kept out of error locations so that a reason never quotes the body at length.
   */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(JsonFactories.pooled())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  /**
   * A key longer than this is replaced by a digest of itself: keys carry provider-chosen or
   * merchant-chosen references of any length, and the inbox indexes them.
   */
  static final int MAX_KEY_CHARS = 200;

  /** The parsed body, or the reason it is not JSON. */
  sealed interface Read {}

  record Parsed(JsonNode root) implements Read {}

  record Invalid(String reason) implements Read {}

  static Read read(byte[] body) {
    if (body.length == 0) {
      return new Invalid("the body is empty");
    }
    try {
      JsonNode root = MAPPER.readTree(body);
      if (root == null || root.isMissingNode()) {
        return new Invalid("the body is empty");
      }
      return new Parsed(root);
    } catch (JsonProcessingException e) {
      return new Invalid("the body is not valid JSON: " + clip(e.getOriginalMessage(), 160));
    } catch (IOException e) {
      return new Invalid("the body is not valid JSON");
    }
  }

  /** A key for a body that names no event: "sha256:" and the hex SHA-256 of the raw bytes. */
  static String bodyKey(byte[] body) {
    return "sha256:" + HexFormat.of().formatHex(sha256(body));
  }

  /** {@code key} itself, or when too long for the inbox, {@code prefix} and its SHA-256. */
  static String bounded(String prefix, String key) {
    if (key.length() <= MAX_KEY_CHARS) {
      return key;
    }
    return prefix
        + ":sha256:"
        + HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The scalar at {@code path} as text (numbers in their JSON spelling), or null when it is
   * missing, null, blank, an object or an array.
   */
  static @Nullable String text(JsonNode node, String... path) {
    JsonNode at = node;
    for (String field : path) {
      at = at.path(field);
    }
    if (!at.isValueNode() || at.isNull()) {
      return null;
    }
    String text = at.asText();
    return text.isBlank() ? null : text;
  }

  /** The first non-null of {@code values}. */
  @SafeVarargs
  static <T> @Nullable T firstOf(@Nullable T... values) {
    for (T value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String clip(@Nullable String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
