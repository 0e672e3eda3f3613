package dev.odim.server.internal;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Gives every request an id, sent back as {@code X-Request-Id} and put in the logging context
 * ({@code requestId}) so that every log line of the request carries it. A caller's own id is kept
 * when it is a plain token of at most 64 characters, so ids can follow a request across services;
 * anything else (too long, odd characters that could forge log lines) is replaced.
 */
public final class RequestIds {
  /** The header read and written. */
  public static final String HEADER = "X-Request-Id";

  /** The MDC key that logback's pattern prints. */
  public static final String MDC_KEY = "requestId";

  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String ATTRIBUTE = "odim.requestId";

  private RequestIds() {}

  /** A {@code before} handler: assigns the id, sets the response header and the MDC. */
  public static void assign(Context ctx) {
    String incoming = ctx.header(HEADER);
    String id = incoming != null && SANE.matcher(incoming).matches() ? incoming : generate();
    ctx.attribute(ATTRIBUTE, id);
    ctx.header(HEADER, id);
    MDC.put(MDC_KEY, id);
  }

  /** The id of this request, or null before {@link #assign} ran. */
  public static @Nullable String of(Context ctx) {
    return ctx.attribute(ATTRIBUTE);
  }

  /** Forgets the id on this thread once the response is written. */
  public static void clear() {
    MDC.remove(MDC_KEY);
  }

  private static String generate() {
    return UUID.randomUUID().toString();
  }
}
