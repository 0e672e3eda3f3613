package dev.odim.server.internal;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Times every request into {@code http.server.requests} (Prometheus: {@code
 * http_server_requests_seconds}), tagged by method, route template and status. The route is the
 * matched template ({@code /api/bookings/{id}}), never the raw path, so that the number of series
 * stays bounded whatever URLs clients send.
 */
public final class HttpMetrics {
  /** The route tag of a request that matched no route. */
  public static final String UNMATCHED = "UNMATCHED";

  private final MeterRegistry registry;

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one finished request; Javalin calls this after the response is complete. */
  public void record(Context ctx, Float executionMillis) {
    Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
    String route = endpoint == null || !ctx.method().isHttpMethod() ? UNMATCHED : endpoint.path;
    if (ctx.statusCode() == 404 || ctx.statusCode() == 405) {
      // No route answered; do not let a scanner's paths or methods become series.
      route = UNMATCHED;
    }
    Timer.builder("http.server.requests")
        .description("HTTP requests by method, route template and status")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos((long) (executionMillis * 1_000_000.0)));
  }
}
