package dev.odim.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure that reaches the HTTP edge into {@code application/problem+json}: problems
 * thrown by handlers, Javalin's own 404/405/413 answers, and unexpected exceptions, which are
 * logged with the request id and answered with a generic 500 that reveals nothing of the cause.
 */
public final class Problems {
  /** The media type of every error response. */
  public static final String CONTENT_TYPE = "application/problem+json";

  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private final ObjectMapper mapper;

  public Problems(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Answers with the problem a handler threw. */
  public void handle(ProblemException e, Context ctx) {
    send(ctx, e.code().problem(e.detail(), ctx.path(), e.errors()));
  }

  /** Answers Javalin's own failures (no route, wrong method, body too large) from the table. */
  public void handle(HttpResponseException e, Context ctx) {
    switch (e.getStatus()) {
      case 404 ->
          send(
              ctx,
              ProblemCode.NOT_FOUND.problem(
                  "No route matches " + ctx.method().name() + " " + ctx.path() + ".", ctx.path()));
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
                    + ".",
                ctx.path()));
      }
      case 413 ->
          send(
              ctx,
              ProblemCode.PAYLOAD_TOO_LARGE.problem(
                  "The request body exceeds the limit of this address.", ctx.path()));
      case 415 ->
          send(
              ctx,
              ProblemCode.UNSUPPORTED_MEDIA_TYPE.problem(
                  "Send the body as application/json.", ctx.path()));
      case 400 ->
          send(ctx, ProblemCode.BAD_REQUEST.problem("The request could not be read.", ctx.path()));
      default -> {
        if (e.getStatus() >= 500) {
          unexpected(e, ctx);
        } else {
          // Statuses without a row of their own keep their status and a generic problem.
          send(
              ctx,
              new HttpProblem(
                  "about:blank",
                  "The request was refused.",
                  e.getStatus(),
                  "The request was refused with status " + e.getStatus() + ".",
                  "http_" + e.getStatus(),
                  ctx.path(),
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
    log.error("Unexpected failure in {} {}", ctx.method().name(), ctx.path(), e);
    String requestId = RequestIds.of(ctx);
    send(
        ctx,
        ProblemCode.INTERNAL_ERROR.problem(
            "The request failed unexpectedly. Quote request id "
                + requestId
                + " when reporting it.",
            ctx.path()));
  }

  /** Writes the problem as the response. */
  public void send(Context ctx, HttpProblem problem) {
    String body;
    try {
      body = mapper.writeValueAsString(problem.toMap(RequestIds.of(ctx)));
    } catch (JsonProcessingException e) {
      // A map of strings and ints always serializes; keep the status even if it did not.
      body = "{\"status\":" + problem.status() + ",\"code\":\"" + problem.code() + "\"}";
    }
    ctx.status(problem.status()).contentType(CONTENT_TYPE).result(body);
  }
}
