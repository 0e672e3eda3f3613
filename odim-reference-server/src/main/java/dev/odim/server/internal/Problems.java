package dev.odim.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Problem;
import dev.odim.core.ProblemException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure that reaches the HTTP edge into {@code application/problem+json}: a core
 * {@link ProblemException} thrown by a handler or by any module below it, Javalin's own 404/405/413
 * answers, and unexpected exceptions, which are logged with the request id and answered with a
 * generic 500 that reveals nothing of the cause.
 */
public final class Problems {
  /** The media type of every error response. */
  public static final String CONTENT_TYPE = "application/problem+json";

  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private final ObjectMapper mapper;

  public Problems(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Answers with the problem a handler, or any module it called, threw. */
  public void handle(ProblemException e, Context ctx) {
    send(
        ctx,
        e.problem(),
        e instanceof ExtendedProblemException extended ? extended.members() : Map.of());
  }

  /** Answers Javalin's own failures (no route, wrong method, body too large) from the table. */
  public void handle(HttpResponseException e, Context ctx) {
    switch (e.getStatus()) {
      case 404 ->
          send(
              ctx,
              ProblemCode.NOT_FOUND.problem(
                  "No route matches " + ctx.method().name() + " " + ctx.path() + "."));
      case 405 -> {
        String allowed = String.join(", ", Routes.allowedMethods(ctx));
        if (!allowed.isEmpty()) {
          ctx.header("Allow", allowed);
        }
        send(
            ctx,
            ProblemCode.METHOD_NOT_ALLOWED.problem(
                ctx.path()
                    + " does not accept "
                    + ctx.method().name()
                    + "; it accepts "
                    + allowed
                    + "."));
      }
      case 413 ->
          send(
              ctx,
              ProblemCode.PAYLOAD_TOO_LARGE.problem(
                  "The request body exceeds the limit of this address."));
      case 415 ->
          send(
              ctx,
              ProblemCode.UNSUPPORTED_MEDIA_TYPE.problem("Send the body as application/json."));
      case 400 -> send(ctx, ProblemCode.BAD_REQUEST.problem("The request could not be read."));
      default -> {
        if (e.getStatus() >= 500) {
          unexpected(e, ctx);
        } else if (e.getStatus() < 400) {
          // A thrown 2xx or 3xx (Javalin has OkResponse, FoundResponse, ...) is no failure, and a
          // problem's status is 400 to 599: keep the status, send no problem.
          ctx.status(e.getStatus());
        } else {
          // Statuses without a row of their own keep their status and a generic problem.
          send(
              ctx,
              new Problem(
                  "about:blank",
                  "The request was refused.",
                  e.getStatus(),
                  "The request was refused with status " + e.getStatus() + ".",
                  "http_" + e.getStatus(),
                  null,
                  List.of()));
        }
      }
    }
  }

  /**
   * Logs an unexpected failure with its stack trace and answers with a generic 500: the cause stays
   * in the log, the caller gets the request id to quote.
   */
  public void unexpected(Exception e, Context ctx) {
    if (e instanceof ProblemException problem) {
      handle(problem, ctx);
      return;
    }
    if (e instanceof HttpResponseException response && response.getStatus() < 500) {
      handle(response, ctx);
      return;
    }
    if (poolExhausted(e)) {
      // Every pooled connection stayed busy for the pool's whole wait (a burst heavier than the
      // database keeps up with): nothing was done, and the same request a moment later succeeds.
      // A 503 with Retry-After is what clients retry by themselves; a 500 would say it was a bug.
      log.warn(
          "No database connection free for {} {}: {}",
          ctx.method().name(),
          ctx.path(),
          e.getMessage());
      ctx.header("Retry-After", "1");
      send(
          ctx,
          ProblemCode.SERVICE_UNAVAILABLE.problem(
              "The service is busy. Nothing was changed; try again in a moment."));
      return;
    }
    log.error("Unexpected failure in {} {}", ctx.method().name(), ctx.path(), e);
    String requestId = RequestIds.of(ctx);
    send(
        ctx,
        ProblemCode.INTERNAL_ERROR.problem(
            "The request failed unexpectedly. Quote request id "
                + requestId
                + " when reporting it."));
  }

  /** Whether the pool's wait for a connection timed out somewhere under {@code e}. */
  private static boolean poolExhausted(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * Writes the problem as the response. Every problem names its occurrence: one without an instance
   * gets the request path. The request id goes in too, after {@code instance}, so a caller can
   * quote it.
   */
  public void send(Context ctx, Problem problem) {
    send(ctx, problem, Map.of());
  }

  /** {@link #send(Context, Problem)} with extension members after the standard ones. */
  private void send(Context ctx, Problem problem, Map<String, Object> members) {
    if (problem.instance() == null) {
      problem = problem.withInstance(ctx.path());
    }
    String body;
    try {
      Map<String, Object> map = toMap(problem, RequestIds.of(ctx));
      members.forEach(map::putIfAbsent);
      body = mapper.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      // A map of strings and ints always serializes; keep the status even if it did not.
      body = "{\"status\":" + problem.status() + ",\"code\":\"" + problem.code() + "\"}";
    }
    ctx.status(problem.status()).contentType(CONTENT_TYPE).result(body);
  }

  /** The problem's members in RFC 9457 order, with {@code requestId} before {@code errors}. */
  private static Map<String, Object> toMap(Problem problem, @Nullable String requestId) {
    Map<String, Object> map = problem.toMap();
    if (requestId != null) {
      // Where it has always been on the wire: after instance, before the field errors.
      Object errors = map.remove("errors");
      map.put("requestId", requestId);
      if (errors != null) {
        map.put("errors", errors);
      }
    }
    return map;
  }
}
