package dev.odim.server.internal.web;

import dev.odim.core.Problem;
import dev.odim.server.internal.ProblemCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Where a page of a newest-first list ended, as the opaque {@code cursor} the list routes give out:
 * the last row's creation time and its key (an id or a reference), so the next page is an index
 * range, not an offset that shifts when rows are added.
 *
 * @param createdAt the last row's creation time
 * @param key the last row's key, which breaks ties between rows created in the same instant
 */
public record PageCursor(Instant createdAt, String key) {
  /** The rows a page holds when the client does not say. */
  public static final int DEFAULT_LIMIT = 20;

  /** The most rows a page holds. */
  public static final int MAX_LIMIT = 100;

  /** The cursor as the client sends it back. */
  public String text() {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((createdAt + "|" + key).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The cursor a client sent, or null when it sent none.
   *
   * @param validKey whether a decoded key is one the list gives out
   * @throws dev.odim.core.ProblemException {@code validation_failed} naming {@code cursor} when it
   *     is not a cursor the list gave out
   */
  public static @Nullable PageCursor parse(@Nullable String text, Predicate<String> validKey) {
    if (text == null) {
      return null;
    }
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", 2);
      if (parts.length == 2 && validKey.test(parts[1])) {
        return new PageCursor(Instant.parse(parts[0]), parts[1]);
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      // answered below
    }
    throw ProblemCode.VALIDATION_FAILED.exception(
        "The cursor is not one this list gave out; start again without it.",
        List.of(new Problem.FieldError("cursor", "is not a valid cursor")));
  }

  /**
   * The page size a client asked for with {@code ?limit=}: {@link #DEFAULT_LIMIT} when it did not.
   *
   * @throws dev.odim.core.ProblemException {@code validation_failed} naming {@code limit} outside 1
   *     to {@link #MAX_LIMIT}
   */
  public static int limit(@Nullable String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemCode.VALIDATION_FAILED.exception(
        "limit is a whole number from 1 to " + MAX_LIMIT + ".",
        List.of(new Problem.FieldError("limit", "must be 1 to " + MAX_LIMIT)));
  }
}
