package dev.odim.core.audit.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a string map as a JSON object, keys in order. Core has no JSON library, and a flat map of
 * strings needs only the escapes of RFC 8259 section 7. Reading goes through PostgreSQL's {@code
 * jsonb_each_text}, so no parser is needed either.
 */
final class DetailsJson {
  private DetailsJson() {}

  static String write(Map<String, String> details) {
    StringBuilder json = new StringBuilder(16 + details.size() * 32).append('{');
    boolean first = true;
    for (Map.Entry<String, String> detail : new TreeMap<>(details).entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      string(json, detail.getKey());
      json.append(':');
      string(json, detail.getValue());
    }
    return json.append('}').toString();
  }

  private static void string(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
