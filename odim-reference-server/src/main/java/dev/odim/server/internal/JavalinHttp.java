package dev.odim.server.internal;

import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import dev.odim.servlet.OdimServlet;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Mounts a framework-neutral {@link HttpHandler} (webhook receipt, tus uploads) as a Javalin route.
 * Javalin runs on servlets, so the request is odim-servlet's view of it; the response goes through
 * Javalin's context, which would otherwise replace its content type. The handler reads the raw body
 * stream itself, so Javalin's body-size limit for JSON routes ({@code maxRequestSize}, checked only
 * when Javalin reads the body) does not apply: the handler enforces its own and answers 413.
 */
public final class JavalinHttp {
  private JavalinHttp() {}

  public static Handler mount(HttpHandler handler) {
    return ctx -> serve(ctx, handler, request(ctx));
  }

  /** The request as a framework-neutral handler sees it, for routes that decorate it first. */
  public static HttpRequest request(Context ctx) {
    return OdimServlet.request(ctx.req());
  }

  /**
   * Runs {@code handler} on {@code request} and writes its answer to {@code ctx}. A body that could
   * not be read (the client went away mid-upload, a broken chunked encoding) is the client's
   * failure, not the server's: it answers 400, as Jetty does to a body it cannot parse, instead of
   * a logged 500.
   */
  public static void serve(Context ctx, HttpHandler handler, HttpRequest request) {
    HttpResponse response;
    try {
      response = handler.handle(request);
    } catch (IOException e) {
      ctx.header("Connection", "close");
      throw ProblemCode.BAD_REQUEST.exception("The request body could not be read to its end.");
    }
    write(ctx, response);
  }

  private static void write(Context ctx, HttpResponse response) {
    ctx.status(response.status());
    for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
      if (header.getKey().equalsIgnoreCase("Content-Type")) {
        // Javalin writes its own default content type unless told through contentType()
        ctx.contentType(header.getValue().getFirst());
        continue;
      }
      for (String value : header.getValue()) {
        ctx.res().addHeader(header.getKey(), value);
      }
    }
    ctx.result(response.body());
  }
}
