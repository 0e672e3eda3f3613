package dev.odim.uploads.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code Upload-Metadata} header: comma-separated pairs of a key (no spaces or commas) and an
 * optional Base64 value. Values are kept as UTF-8 text; a value that is not valid UTF-8 is refused,
 * since the host reads metadata as text (file names, types).
 */
public final class TusMetadata {
  /** Header size limit: metadata is for names and types, not payloads. */
  static final int MAX_HEADER_CHARS = 4096;

  private TusMetadata() {}

  /** The pairs, or empty when the header is malformed. */
  public static Optional<Map<String, String>> parse(String header) {
    if (header.length() > MAX_HEADER_CHARS) {
      return Optional.empty();
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    if (header.isBlank()) {
      return Optional.of(pairs);
    }
    for (String pair : header.split(",", -1)) {
      String trimmed = pair.trim();
      if (trimmed.isEmpty()) {
        return Optional.empty();
      }
      String[] parts = trimmed.split(" ", -1);
      if (parts.length > 2 || !validKey(parts[0])) {
        return Optional.empty();
      }
      String value = "";
      if (parts.length == 2) {
        try {
          byte[] bytes = Base64.getDecoder().decode(parts[1]);
          value =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(bytes))
                  .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
          return Optional.empty();
        }
      }
      if (pairs.putIfAbsent(parts[0], value) != null) {
        return Optional.empty();
      }
    }
    return Optional.of(pairs);
  }

  private static boolean validKey(String key) {
    if (key.isEmpty()) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == ',') {
        return false;
      }
    }
    return true;
  }
}
