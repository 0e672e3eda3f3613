package dev.odim.uploads.client.internal;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads what a failed answer says: its problem+json code and detail, its Retry-After. */
final class Problems {
  // two string fields of a small flat JSON object; not worth a JSON library in a client
  private static final Pattern CODE =
      Pattern.compile("\"code\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern DETAIL =
      Pattern.compile("\"detail\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final int MAX_DETAIL = 500;

  private Problems() {}

  record Problem(@Nullable String code, String detail) {}

  static Problem read(HttpResponse<byte[]> response) {
    String status = "HTTP " + response.statusCode();
    String type = response.headers().firstValue("Content-Type").orElse("");
    byte[] body = response.body();
    if (body == null || body.length == 0) {
      return new Problem(null, status);
    }
    String text = new String(body, StandardCharsets.UTF_8);
    if (type.contains("json")) {
      String code = group(CODE.matcher(text));
      String detail = group(DETAIL.matcher(text));
      return new Problem(code, detail != null ? detail : status);
    }
    if (type.startsWith("text/")) {
      return new Problem(null, shorten(text.strip()));
    }
    return new Problem(null, status);
  }

  /**
   * The server's Retry-After: delay-seconds or an HTTP-date (read against {@code clock}); null when
   * absent or unreadable.
   */
  static @Nullable Duration retryAfter(HttpResponse<byte[]> response, Clock clock) {
    String value = response.headers().firstValue("Retry-After").orElse(null);
    if (value == null) {
      return null;
    }
    value = value.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration delay = Duration.between(clock.instant(), at.toInstant());
        return delay.isNegative() ? Duration.ZERO : delay;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  private static @Nullable String group(Matcher matcher) {
    if (!matcher.find()) {
      return null;
    }
    return shorten(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
  }

  private static String shorten(String text) {
    return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "...";
  }
}
