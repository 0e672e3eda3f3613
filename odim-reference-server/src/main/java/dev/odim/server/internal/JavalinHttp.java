package dev.odim.server.internal;

import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpResponse;
import dev.odim.servlet.OdimServlet;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;
import java.util.Map;

/**
 * Mounts a framework-neutral {@link HttpHandler} (webhook receipt, later tus uploads) as a Javalin
 * route. Javalin runs on servlets, so the request is odim-servlet's view of it; the response goes
 * through Javalin's context, which would otherwise replace its content type. The handler reads the
 * raw body stream itself, so Javalin's body-size limit for JSON routes does not apply: the handler
 * enforces its own and answers 413.
 */
public final class JavalinHttp {
  private JavalinHttp() {}

  public static Handler mount(HttpHandler handler) {
    return ctx -> write(ctx, handler.handle(OdimServlet.request(ctx.req())));
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
