package dev.odim.server.internal.web;

import dev.odim.webhooks.SourceIpAllowList;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.List;

/**
 * The client's IP address: the socket's peer, unless the peer is one of {@code
 * ODIM_TRUSTED_PROXIES}, in which case {@code X-Forwarded-For} is read from the right. A forged
 * header from anyone else changes nothing. The walk itself is odim-webhooks' (the same rules guard
 * its source allow-list), so the two can never disagree about who the client is.
 *
 * <p>Whether the client reached us over HTTPS follows the same trust: the connection's scheme, or a
 * trusted proxy's {@code X-Forwarded-Proto} (the proxy that terminates TLS talks plain HTTP to us,
 * and cookies must still be {@code Secure} and HSTS sent).
 */
public final class ClientAddresses {
  private static final String ATTRIBUTE = "odim.clientAddress";
  private static final String HTTPS_ATTRIBUTE = "odim.overHttps";

  private final SourceIpAllowList proxies;

  public ClientAddresses(List<String> trustedProxies) {
    this.proxies = SourceIpAllowList.off().trustingProxies(trustedProxies);
  }

  /** The client address of the request; the peer's when a trusted proxy sent a malformed chain. */
  public String of(Context ctx) {
    // Asked by the rate limiter and again by the route: worked out once per request.
    String known = ctx.attribute(ATTRIBUTE);
    if (known != null) {
      return known;
    }
    String peer = ctx.req().getRemoteAddr();
    List<String> forwarded = Collections.list(ctx.req().getHeaders("X-Forwarded-For"));
    String client = proxies.clientAddress(peer, forwarded);
    String address = client == null ? peer : client;
    ctx.attribute(ATTRIBUTE, address);
    return address;
  }

  /** A {@code before} handler: records whether the client used HTTPS, for {@link #overHttps}. */
  public void recordTransport(Context ctx) {
    boolean https = "https".equalsIgnoreCase(ctx.scheme());
    if (!https && proxies.trustsProxy(ctx.req().getRemoteAddr())) {
      // The nearest proxy appends its own value last.
      List<String> protos = Collections.list(ctx.req().getHeaders("X-Forwarded-Proto"));
      if (!protos.isEmpty()) {
        String[] hops = protos.getLast().split(",", -1);
        https = "https".equalsIgnoreCase(hops[hops.length - 1].strip());
      }
    }
    ctx.attribute(HTTPS_ATTRIBUTE, https);
  }

  /** Whether the client reached the server over HTTPS, as {@link #recordTransport} found. */
  public static boolean overHttps(Context ctx) {
    Boolean recorded = ctx.attribute(HTTPS_ATTRIBUTE);
    return recorded != null ? recorded : "https".equalsIgnoreCase(ctx.scheme());
  }
}
