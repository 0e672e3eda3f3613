package dev.odim.server.internal.web;

import io.javalin.http.Context;

/** Reads the session a request carries. The account package implements it with sessions. */
@FunctionalInterface
public interface Authenticator {

  /** What the request's session cookie proves; never throws for a bad or missing cookie. */
  Authentication authenticate(Context ctx);

  /** The outcome of reading a session cookie. */
  sealed interface Authentication {
    /** No cookie, or one that names no live session (never issued, logged out, revoked). */
    record None() implements Authentication {}

    /** A session that existed and has timed out: the client should say so and offer a login. */
    record Expired() implements Authentication {}

    /** A live session. */
    record Valid(Principal principal) implements Authentication {}
  }
}
