package dev.odim.core.idempotency;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * What the first request with a key answered, replayed to its retries.
 *
 * @param status the HTTP status, 100 to 599
 * @param contentType the response's media type, or empty when it had no body
 * @param headers the headers worth replaying (an {@code ETag}, a {@code Location}), never cookies
 * @param body the response body; empty when none
 */
public record StoredResponse(
    int status, String contentType, Map<String, String> headers, byte[] body) {
  public StoredResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100 to 599, was " + status);
    }
    Objects.requireNonNull(contentType, "contentType");
    headers = Map.copyOf(headers);
    for (var header : headers.entrySet()) {
      if (!header.getKey().matches("[A-Za-z0-9-]{1,64}")
          || header.getKey().equalsIgnoreCase("Set-Cookie")
          || header.getValue().indexOf('\n') >= 0
          || header.getValue().indexOf('\r') >= 0) {
        throw new IllegalArgumentException("header " + header.getKey() + " cannot be stored");
      }
    }
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredResponse that
        && status == that.status
        && contentType.equals(that.contentType)
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, contentType, headers, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "StoredResponse[" + status + ", " + contentType + ", " + body.length + " bytes]";
  }
}
