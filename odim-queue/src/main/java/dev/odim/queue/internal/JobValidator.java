package dev.odim.queue.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.odim.queue.InvalidJobException;
import dev.odim.queue.NewJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Refuses a job before any backend sees it, so a bad job never reaches storage and never fails a
 * batch of good ones halfway.
 */
public final class JobValidator {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,200}");
  private static final int MAX_KEY_LENGTH = 512;
  private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  private final int maxPayloadBytes;

  public JobValidator(int maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** Returns {@code job} unchanged if valid; it must already have an id. */
  public NewJob validated(NewJob job) {
    if (!NAME.matcher(job.queue()).matches()) {
      throw new InvalidJobException(
          "queue", "must be 1 to 200 of A-Z a-z 0-9 _ . : -, was \"" + job.queue() + "\"");
    }
    if (!NAME.matcher(job.type()).matches()) {
      throw new InvalidJobException(
          "type", "must be 1 to 200 of A-Z a-z 0-9 _ . : -, was \"" + job.type() + "\"");
    }
    checkKey("deduplicationKey", job.deduplicationKey());
    checkKey("orderingKey", job.orderingKey());
    if (job.priority() < -1000 || job.priority() > 1000) {
      throw new InvalidJobException("priority", "must be -1000 to 1000, was " + job.priority());
    }
    if (job.maxAttempts() < 1 || job.maxAttempts() > 1000) {
      throw new InvalidJobException("maxAttempts", "must be 1 to 1000, was " + job.maxAttempts());
    }
    Duration timeout = job.timeout();
    if (timeout != null && (timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0)) {
      throw new InvalidJobException("timeout", "must be 1 ms to 24 h, was " + timeout);
    }
    int bytes = job.payload().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxPayloadBytes) {
      throw new InvalidJobException(
          "payload", "is " + bytes + " bytes, more than the maximum of " + maxPayloadBytes);
    }
    if (!isOneJsonValue(job.payload())) {
      throw new InvalidJobException("payload", "must be one JSON value (without NUL characters)");
    }
    return job;
  }

  private static void checkKey(String field, @Nullable String key) {
    if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH)) {
      throw new InvalidJobException(
          field, "must be 1 to " + MAX_KEY_LENGTH + " characters, was " + key.length());
    }
  }

  /** PostgreSQL's jsonb refuses NUL, and a job a backend cannot store must fail here. */
  private static boolean isOneJsonValue(String text) {
    if (text.indexOf('\u0000') >= 0 || text.contains("\\u0000")) {
      return false;
    }
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }
}
