package dev.odim.core.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A complete HTTP response: status, headers in the order they were added, and the body.
 *
 * @param status the status code, 100 to 599
 * @param headers header names to their values, in insertion order
 * @param body the body; empty for none
 */
public record HttpResponse(int status, Map<String, List<String>> headers, byte[] body) {

  /** Validates the status and copies the headers and the body. */
  public HttpResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("HTTP status must be 100 to 599, was " + status);
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    headers = Collections.unmodifiableMap(copy);
    body = body.clone();
  }

  /** A response with no headers and no body. */
  public static HttpResponse of(int status) {
    return new HttpResponse(status, Map.of(), new byte[0]);
  }

  /** A response with a body of the given content type. */
  public static HttpResponse of(int status, String contentType, byte[] body) {
    return of(status).withHeader("Content-Type", contentType).withBody(body);
  }

  /** A plain-text (UTF-8) response. */
  public static HttpResponse text(int status, String text) {
    return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  /** This response with one more value for a header. */
  public HttpResponse withHeader(String name, String value) {
    Map<String, List<String>> more = new LinkedHashMap<>(headers);
    List<String> values = new ArrayList<>(more.getOrDefault(name, List.of()));
    values.add(value);
    more.put(name, values);
    return new HttpResponse(status, more, body);
  }

  /** This response with another body. */
  public HttpResponse withBody(byte[] body) {
    return new HttpResponse(status, headers, body);
  }

  /** The first value of a header (the name matched without regard to case), or null. */
  public @Nullable String header(String name) {
    for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
        return entry.getValue().getFirst();
      }
    }
    return null;
  }

  /** The body decoded as UTF-8. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  // byte[] components compare by identity in a record's generated methods
  @Override
  public boolean equals(Object other) {
    return other instanceof HttpResponse that
        && status == that.status
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * status + headers.hashCode()) + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "HttpResponse[status="
        + status
        + ", headers="
        + headers
        + ", body="
        + body.length
        + " bytes]";
  }
}
