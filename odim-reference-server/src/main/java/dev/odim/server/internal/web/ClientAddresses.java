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
 */
public final class ClientAddresses {
  private static final String ATTRIBUTE = "odim.clientAddress";

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
}
