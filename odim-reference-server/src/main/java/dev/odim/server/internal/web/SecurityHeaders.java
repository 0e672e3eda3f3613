package dev.odim.server.internal.web;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The headers every answer carries, set before any handler runs so that errors get them too. The
 * Content-Security-Policy allows no inline script or style except those carrying this request's
 * nonce, which pages read from the context attribute {@link #NONCE_ATTRIBUTE}.
 */
public final class SecurityHeaders {
  /** The context attribute holding this request's CSP nonce. */
  public static final String NONCE_ATTRIBUTE = "odim.cspNonce";

  private static final String PERMISSIONS =
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(),"
          + " payment=(), usb=()";

  private final SecureRandom random;

  public SecurityHeaders(SecureRandom random) {
    this.random = random;
  }

  /** A {@code before} handler for every path. */
  public void apply(Context ctx) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String nonce = Base64.getEncoder().encodeToString(bytes);
    ctx.attribute(NONCE_ATTRIBUTE, nonce);
    ctx.header("Content-Security-Policy", policy(nonce));
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "strict-origin-when-cross-origin");
    ctx.header("Permissions-Policy", PERMISSIONS);
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    ctx.header("Cross-Origin-Resource-Policy", "same-origin");
    if (ClientAddresses.overHttps(ctx)) {
      ctx.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
    if (ctx.path().startsWith("/api/")) {
      // Answers about accounts and money must not be kept by shared caches or the back button.
      ctx.header("Cache-Control", "no-store");
    }
  }

  /** The policy for one nonce. */
  public static String policy(String nonce) {
    return "default-src 'none'; script-src 'self' 'nonce-"
        + nonce
        + "'; style-src 'self' 'nonce-"
        + nonce
        + "'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self';"
        + " frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
  }
}
