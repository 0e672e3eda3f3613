package dev.odim.server.internal.web;

import dev.odim.core.ratelimit.Decision;
import dev.odim.core.ratelimit.RateLimiter;
import dev.odim.core.ratelimit.RatePolicy;
import dev.odim.server.internal.ProblemCode;
import io.javalin.http.Context;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Limits requests per client address before any route runs: the default policy ({@code
 * ODIM_RATE_LIMIT}) on every path, and a stricter one on top for the routes that guess passwords or
 * create accounts. Every answer says where the client stands ({@code RateLimit-Policy}, {@code
 * RateLimit}); a refusal is a 429 with {@code Retry-After}.
 *
 * <p>Exempt: the health probes (a load balancer polls them) and the Paystack webhook, whose sender
 * is a handful of Paystack addresses delivering every platform's events; a refused delivery would
 * only be retried later. The webhook is guarded by its signature instead.
 */
public final class RateLimits {
  private final RateLimiter limiter;
  private final @Nullable RatePolicy everyRequest;
  private final Map<String, RatePolicy> stricter;
  private final ClientAddresses clientAddresses;

  /**
   * @param everyRequest the per-address policy of every request; {@code null} turns limiting off
   * @param stricter extra policies by {@code METHOD path}, e.g. {@code POST /api/auth/login}
   */
  public RateLimits(
      RateLimiter limiter,
      @Nullable RatePolicy everyRequest,
      Map<String, RatePolicy> stricter,
      ClientAddresses clientAddresses) {
    this.limiter = limiter;
    this.everyRequest = everyRequest;
    this.stricter = Map.copyOf(stricter);
    this.clientAddresses = clientAddresses;
  }

  /** A {@code before} handler for every path. */
  public void apply(Context ctx) {
    if (everyRequest == null || exempt(ctx.path())) {
      return;
    }
    String client = clientAddresses.of(ctx);
    Decision decision = limiter.tryAcquire(everyRequest, client);
    RatePolicy extra = stricter.get(ctx.method().name() + " " + ctx.path());
    if (decision.allowed() && extra != null) {
      decision = limiter.tryAcquire(extra, client);
    }
    ctx.header("RateLimit-Policy", decision.policyHeader());
    ctx.header("RateLimit", decision.rateLimitHeader());
    if (!decision.allowed()) {
      throw new RetryLaterException(
          ProblemCode.RATE_LIMITED,
          "Too many requests from your address under the \""
              + decision.policy().name()
              + "\" limit of "
              + decision.policy().capacity()
              + " per "
              + decision.policy().window().toSeconds()
              + " s. Try again in "
              + decision.retryAfterSeconds()
              + " s.",
          decision.retryAfter(),
          Map.of(
              "RateLimit-Policy", decision.policyHeader(),
              "RateLimit", decision.rateLimitHeader()));
    }
  }

  private static boolean exempt(String path) {
    return path.startsWith("/health/") || path.equals("/webhooks/paystack");
  }
}
