package dev.odim.server.internal.web;

import dev.odim.core.http.ForwardingHttpRequest;
import dev.odim.core.http.HttpRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A request to a framework-neutral handler (tus uploads), carrying the user the route's access
 * check already proved from the session. Handlers below the server learn who calls only from this
 * object, which only a declared route creates from its {@link Call}: never from a header a client
 * could send.
 */
public final class SignedInRequest extends ForwardingHttpRequest {
  private final UUID userId;

  private SignedInRequest(HttpRequest request, UUID userId) {
    super(request);
    this.userId = Objects.requireNonNull(userId, "userId");
  }

  /** {@code request} as sent by the signed-in user of {@code call}. */
  public static SignedInRequest of(HttpRequest request, Call call) {
    return new SignedInRequest(request, call.principal().userId());
  }

  /** The user behind {@code request}; empty for any request this class did not wrap. */
  public static Optional<UUID> userId(HttpRequest request) {
    return request instanceof SignedInRequest signedIn
        ? Optional.of(signedIn.userId)
        : Optional.empty();
  }
}
