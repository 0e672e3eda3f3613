package dev.odim.server.internal;

import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Mounts a framework-neutral {@link HttpHandler} (webhook receipt, later tus uploads) as a Javalin
 * route. The handler reads the raw body stream itself, so Javalin's body-size limit for JSON routes
 * does not apply: the handler enforces its own and answers 413.
 */
public final class JavalinHttp {
  private JavalinHttp() {}

  public static Handler mount(HttpHandler handler) {
    return ctx -> write(ctx, handler.handle(new Request(ctx.req())));
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

  /** The servlet request Javalin runs on, seen through the neutral interface. */
  private record Request(HttpServletRequest servlet) implements HttpRequest {
    @Override
    public String method() {
      return servlet.getMethod().toUpperCase(Locale.ROOT);
    }

    @Override
    public String path() {
      return servlet.getRequestURI();
    }

    @Override
    public Set<String> headerNames() {
      return Collections.unmodifiableSet(
          new LinkedHashSet<>(Collections.list(servlet.getHeaderNames())));
    }

    @Override
    public List<String> headers(String name) {
      return Collections.list(servlet.getHeaders(name));
    }

    @Override
    public String remoteAddress() {
      return servlet.getRemoteAddr();
    }

    @Override
    public InputStream body() {
      try {
        return servlet.getInputStream();
      } catch (IOException e) {
        throw new UncheckedIOException("the request body could not be opened", e);
      }
    }
  }
}
