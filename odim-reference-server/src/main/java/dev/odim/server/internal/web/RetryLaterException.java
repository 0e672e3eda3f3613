package dev.odim.server.internal.web;

import dev.odim.core.ProblemException;
import dev.odim.server.internal.ProblemCode;
import java.io.Serial;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal that tells the client when to come back: {@code Retry-After} and any other headers (a
 * 429 carries the IETF draft's {@code RateLimit-Policy} and {@code RateLimit}; a 503 for a provider
 * outage only {@code Retry-After}).
 */
public final class RetryLaterException extends ProblemException {
  @Serial private static final long serialVersionUID = 1L;

  private final transient Map<String, String> headers;

  public RetryLaterException(
      ProblemCode code, String detail, Duration retryAfter, Map<String, String> headers) {
    super(code.problem(detail));
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    LinkedHashMap<String, String> all = new LinkedHashMap<>(headers);
    all.put("Retry-After", Long.toString(seconds));
    this.headers = Map.copyOf(all);
  }

  /** The headers to send with the problem. */
  public Map<String, String> headers() {
    return headers;
  }
}
