package dev.odim.ledger.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Checks metadata before it reaches a batch: PostgreSQL would refuse malformed JSON with an error
 * that fails the whole transaction, and with it every neighbour of the bad transfer.
 */
final class Metadata {
  private static final JsonFactory JSON = new JsonFactory();

  private Metadata() {}

  /** Whether {@code text} is one JSON object and nothing else (no NUL, which jsonb refuses). */
  static boolean isObject(String text) {
    if (text.indexOf('\u0000') >= 0 || text.contains("\\u0000")) {
      return false;
    }
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }
}
