package dev.odim.servlet;

import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Mounts an Odim {@link HttpHandler} in any Jakarta Servlet 6 container (Jetty 12 ee10, Tomcat
 * 10.1, Undertow, and so Spring Boot 3 and Quarkus):
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler();
 * context.addServlet(new ServletHolder(new OdimServlet(webhookEndpoint)), "/webhooks/paystack");
 * }</pre>
 *
 * <p>Every method reaches the handler, {@code PATCH}, {@code OPTIONS}, {@code HEAD} and {@code
 * DELETE} included: this servlet overrides {@code service} and never answers 405 or 501 itself.
 *
 * <p>The handler sees:
 *
 * <ul>
 *   <li>{@code path()}: the request URI's path as the client sent it ({@link
 *       HttpServletRequest#getRequestURI()}): context path and servlet path included, not
 *       percent-decoded, without the query string. It is the path the Javalin adapter passes too,
 *       so a handler behaves the same under either; a handler that builds URLs (a tus {@code
 *       Location}) builds them from the path it was called with, not from where it thinks it is
 *       mounted.
 *   <li>{@code method()}: the method in upper case.
 *   <li>{@code headers(name)}: every line of that header, in order, matched without regard to case.
 *   <li>{@code remoteAddress()}: {@link HttpServletRequest#getRemoteAddr()}, the peer of the
 *       connection (a proxy, when there is one, unless the host's container rewrites it).
 *   <li>{@code body()}: the container's input stream, opened on first use and streamed, never
 *       buffered by this servlet.
 *   <li>{@code trailers()}: the trailer fields of a chunked body ({@link
 *       HttpServletRequest#getTrailerFields()}), once the body was read to its end.
 * </ul>
 *
 * <p>The handler's response is written with its status, every value of every header in order, and
 * the body with a {@code Content-Length} of its size (replacing any the handler set). {@code
 * Content-Type} goes through the container, which may respell it ({@code
 * text/plain;charset=utf-8}). A header name or value with a line break or NUL is not written at
 * all: the handler gets the 500 of any bug below, so echoed input can never split the response.
 * When the response can carry no body (a {@code HEAD} request, or a 1xx, 204 or 304 status) no body
 * is written, and a {@code Content-Length} the handler set is passed on: a {@code HEAD} answer
 * declares the length a {@code GET} would get (the body's length, when the handler answered {@code
 * HEAD} with a body and no {@code Content-Length}).
 *
 * <p>How it fails:
 *
 * <ul>
 *   <li>An {@link IOException} from the handler means the request body could not be read: the
 *       client went away or sent a broken body. If anyone is still listening they get a bare 400
 *       (no body) and the connection is closed, which is what the container itself answers to a
 *       body it cannot parse; nothing about the failure is sent.
 *   <li>A {@link RuntimeException} or an {@link Error} from the handler (a bug: an assertion, a
 *       missing class) is answered with a fixed 500 {@code application/problem+json} ({@code
 *       internal_error}) that says nothing about the cause; left to the container, Jetty would put
 *       the exception's message in its error page. The exception goes to the container's log
 *       through {@link jakarta.servlet.ServletContext#log(String, Throwable)}, so this module needs
 *       no logging library and the host's logging configuration decides where it lands. A {@link
 *       VirtualMachineError} (out of memory, stack overflow) is left to the container.
 *   <li>An {@link IOException} while writing the response (the client went away) propagates to the
 *       container, which handles it as the broken connection it is.
 * </ul>
 *
 * <p>Servlets are not serialized by the containers Odim supports, and the handler is not
 * serializable; serializing this servlet fails.
 */
public final class OdimServlet extends HttpServlet {
  @Serial private static final long serialVersionUID = 1L;

  /** The body of every 500 this servlet sends; core has no JSON library, so it is written out. */
  static final String INTERNAL_ERROR_BODY =
      "{\"type\":\"https://odim.dev/problems/internal_error\",\"title\":\"Internal error\","
          + "\"status\":500,\"code\":\"internal_error\"}";

  private static final byte[] INTERNAL_ERROR_BYTES =
      INTERNAL_ERROR_BODY.getBytes(StandardCharsets.UTF_8);

  private final transient HttpHandler handler;

  /** A servlet that passes every request to {@code handler}. */
  public OdimServlet(HttpHandler handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /**
   * A servlet request as an Odim handler sees it (full request URI as the path, every header value
   * in order, the peer's address, the body stream unbuffered): for hosts whose framework runs on
   * servlets and writes the handler's response its own way, as the reference server's Javalin does.
   */
  public static HttpRequest request(HttpServletRequest request) {
    return new ServletHttpRequest(request);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    HttpResponse answer;
    try {
      answer = handler.handle(new ServletHttpRequest(request));
      // A handler that returns null breaks its contract like any other bug.
      Objects.requireNonNull(answer, "the handler returned no response");
    } catch (IOException e) {
      unreadableBody(response);
      return;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      internalError(request, response, e);
      return;
    }
    try {
      write(request, response, answer);
    } catch (RuntimeException e) {
      // A header the container refuses, or that could split the response, is the handler's bug.
      if (response.isCommitted()) {
        throw e;
      }
      response.reset();
      internalError(request, response, e);
    }
  }

  private static void write(
      HttpServletRequest request, HttpServletResponse response, HttpResponse answer)
      throws IOException {
    for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
      refuseLineBreaks(header.getKey());
      header.getValue().forEach(OdimServlet::refuseLineBreaks);
    }
    response.setStatus(answer.status());
    boolean bodiless = bodiless(request, answer.status());
    for (Map.Entry<String, List<String>> header : answer.headers().entrySet()) {
      if (!bodiless && header.getKey().equalsIgnoreCase("Content-Length")) {
        continue;
      }
      for (String value : header.getValue()) {
        response.addHeader(header.getKey(), value);
      }
    }
    byte[] body = answer.body();
    if (bodiless) {
      // A handler that answers HEAD as it answers GET still declares the right length.
      if (body.length > 0 && answer.header("Content-Length") == null && isHead(request)) {
        response.setContentLengthLong(body.length);
      }
      return;
    }
    response.setContentLengthLong(body.length);
    if (body.length > 0) {
      response.getOutputStream().write(body);
    }
  }

  /**
   * A line break in a header would let text the handler echoed (a reference from the request, say)
   * start a header or a response of its own. Some containers replace it with a space, not all; the
   * handler is answered as the bug it is, the same in every container.
   */
  private static void refuseLineBreaks(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        throw new IllegalArgumentException("a response header contains a line break or NUL");
      }
    }
  }

  private static boolean bodiless(HttpServletRequest request, int status) {
    return status < 200
        || status == HttpServletResponse.SC_NO_CONTENT
        || status == HttpServletResponse.SC_NOT_MODIFIED
        || isHead(request);
  }

  private static boolean isHead(HttpServletRequest request) {
    return request.getMethod().equalsIgnoreCase("HEAD");
  }

  private static void unreadableBody(HttpServletResponse response) {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    // The rest of the body may still be in flight; the connection cannot carry another request.
    response.setHeader("Connection", "close");
    response.setContentLength(0);
  }

  private static void internalError(
      HttpServletRequest request, HttpServletResponse response, Throwable e) throws IOException {
    request
        .getServletContext()
        .log("Odim handler failed on " + request.getMethod() + " " + request.getRequestURI(), e);
    response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
    response.setContentType("application/problem+json");
    response.setContentLength(INTERNAL_ERROR_BYTES.length);
    response.getOutputStream().write(INTERNAL_ERROR_BYTES);
  }

  @Serial
  private void writeObject(ObjectOutputStream out) throws IOException {
    throw new NotSerializableException(OdimServlet.class.getName());
  }

  /** The servlet request as an Odim handler sees it. */
  private static final class ServletHttpRequest implements HttpRequest {
    private final HttpServletRequest request;
    private final String method;

    ServletHttpRequest(HttpServletRequest request) {
      this.request = request;
      this.method = request.getMethod().toUpperCase(Locale.ROOT);
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String path() {
      return request.getRequestURI();
    }

    @Override
    public Set<String> headerNames() {
      Enumeration<String> names = request.getHeaderNames();
      return names == null
          ? Set.of()
          : Collections.unmodifiableSet(new LinkedHashSet<>(Collections.list(names)));
    }

    @Override
    public List<String> headers(String name) {
      // Null when the container hides headers from the application; none to see, then.
      Enumeration<String> values = request.getHeaders(name);
      return values == null ? List.of() : List.copyOf(Collections.list(values));
    }

    @Override
    public String remoteAddress() {
      return request.getRemoteAddr();
    }

    @Override
    public Map<String, String> trailers() {
      // Servlet 6 gives the trailers of a chunked body once it is read to its end, names in lower
      // case; before that, and for a body without trailers, there are none.
      if (!request.isTrailerFieldsReady()) {
        return Map.of();
      }
      Map<String, String> trailers = request.getTrailerFields();
      return trailers == null ? Map.of() : Map.copyOf(trailers);
    }

    @Override
    public InputStream body() {
      try {
        return request.getInputStream();
      } catch (IOException e) {
        // Declared by the servlet API; a stream that fails on its first read keeps the contract
        // of HttpRequest.body(), where an unreadable body is an IOException on reading.
        return new InputStream() {
          @Override
          public int read() throws IOException {
            throw e;
          }
        };
      }
    }
  }
}
