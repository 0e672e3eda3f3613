package dev.odim.payments.reconciliation.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;

/** An opaque page cursor: the last row's time and id, base64url-encoded. */
record Cursor(Instant at, UUID id) {

  /**
   * @throws IllegalArgumentException when {@code text} is not a cursor this class wrote
   */
  static Cursor parse(String text) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int bar = plain.indexOf('|');
      return new Cursor(
          Instant.parse(plain.substring(0, bar)), UUID.fromString(plain.substring(bar + 1)));
    } catch (IllegalArgumentException | DateTimeParseException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a page cursor: " + text, e);
    }
  }

  @Override
  public String toString() {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((at + "|" + id).getBytes(StandardCharsets.UTF_8));
  }
}
