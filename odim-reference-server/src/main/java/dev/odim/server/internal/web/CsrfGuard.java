package dev.odim.server.internal.web;

import dev.odim.server.internal.ProblemCode;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Refuses a state-changing request that carries a session cookie but was started by another site:
 * {@code Sec-Fetch-Site: cross-site} (every current browser sends it), or an {@code Origin} that is
 * not this server's own. Together with {@code SameSite=Lax} cookies this stops cross-site request
 * forgery without tokens in forms. Requests without a session cookie (webhooks, API clients, login)
 * carry no ambient authority and pass.
 */
public final class CsrfGuard {
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private final Predicate<Context> hasSessionCookie;

  public CsrfGuard(Predicate<Context> hasSessionCookie) {
    this.hasSessionCookie = hasSessionCookie;
  }

  /** A {@code before} handler for every path. */
  public void check(Context ctx) {
    if (SAFE.contains(ctx.method().name()) || !hasSessionCookie.test(ctx)) {
      return;
    }
    String site = ctx.header("Sec-Fetch-Site");
    if (site != null && site.strip().equalsIgnoreCase("cross-site")) {
      throw ProblemCode.CROSS_SITE_REQUEST.exception(
          "A page on another site may not change anything here with your session.");
    }
    String origin = ctx.header("Origin");
    if (origin != null && !sameOrigin(origin, ctx)) {
      throw ProblemCode.CROSS_SITE_REQUEST.exception(
          "The request's Origin is not this site; it was refused.");
    }
  }

  private static boolean sameOrigin(String origin, Context ctx) {
    String host = ctx.header("Host");
    if (host == null || origin.equals("null")) {
      return false;
    }
    try {
      URI uri = URI.create(origin.strip());
      if (uri.getHost() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
        return false;
      }
      String expected = host.strip().toLowerCase(Locale.ROOT);
      String actual =
          uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
      return expected.equals(actual)
          || expected.equals(actual + ":" + defaultPort(uri.getScheme()))
          || actual.equals(expected + ":" + defaultPort(uri.getScheme()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int defaultPort(String scheme) {
    return "https".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
