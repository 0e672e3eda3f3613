package dev.odim.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's error handler for what it refuses before any route runs: a request line it cannot parse,
 * a URI or header block too long (414, 431), a path with an encoded NUL or an ambiguous segment.
 * Jetty answers those with an HTML page of its own; this answers {@code application/problem+json}
 * with the same codes as {@link Problems}, and never a stack trace or Jetty's own message, which
 * can quote the request.
 *
 * <pre>{@code
 * cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyProblems(mapper)));
 * }</pre>
 */
public final class JettyProblems extends ErrorHandler {
  private final ObjectMapper mapper;

  public JettyProblems(ObjectMapper mapper) {
    this.mapper = mapper;
    setShowStacks(false);
    setShowCauses(false);
  }

  /** Every error Jetty answers itself, from parsing the request line on. */
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      @Nullable String message,
      @Nullable Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    // Jetty may close a connection after a request it could not parse; saying so keeps a client
    // from sending its next request down a connection about to close.
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.write(true, ByteBuffer.wrap(body(code)), callback);
  }

  private byte[] body(int status) {
    Problem problem = problem(status);
    try {
      return mapper.writeValueAsBytes(problem.toMap());
    } catch (JsonProcessingException e) {
      return ("{\"status\":" + problem.status() + ",\"code\":\"" + problem.code() + "\"}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  static Problem problem(int status) {
    return switch (status) {
      case 400 -> ProblemCode.BAD_REQUEST.problem("The request could not be parsed as HTTP.");
      case 404 -> ProblemCode.NOT_FOUND.problem("No route matches this request.");
      case 405 -> ProblemCode.METHOD_NOT_ALLOWED.problem("This address does not accept it.");
      case 413 -> ProblemCode.PAYLOAD_TOO_LARGE.problem("The request is larger than accepted.");
      case 415 -> ProblemCode.UNSUPPORTED_MEDIA_TYPE.problem("Send the body as application/json.");
      default -> {
        if (status >= 500 && status != 505) {
          yield ProblemCode.INTERNAL_ERROR.problem("The request failed unexpectedly.");
        }
        yield new Problem(
            "about:blank",
            "The request was refused.",
            status,
            "The request was refused with status " + status + ".",
            "http_" + status,
            null,
            List.of());
      }
    };
  }
}
