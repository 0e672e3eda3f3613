package dev.odim.server.internal.account;

import dev.odim.core.db.Db;
import dev.odim.server.internal.web.Authenticator;
import dev.odim.server.internal.web.ClientAddresses;
import dev.odim.server.internal.web.Principal;
import dev.odim.server.internal.web.Role;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Sessions as OWASP ASVS 5.0 asks for them: an opaque 256-bit random token in an {@code HttpOnly},
 * {@code SameSite=Lax} cookie, stored only as its SHA-256 (a leaked table signs no one in), a new
 * token at every login (no fixation), an idle and an absolute timeout, and an end at logout and at
 * password change.
 *
 * <p>The cookie is {@code __Host-odim_session} with {@code Secure} whenever the request came over
 * HTTPS or to localhost (browsers treat localhost as secure), otherwise {@code odim_session}
 * without it, so a plain-HTTP deployment on a LAN address still works. Both names are read.
 *
 * <p>Using a session moves its idle end forward, but at most once a minute, so that reading a page
 * is not a database write per request; the idle timeout is therefore exact to a minute.
 */
public final class Sessions implements Authenticator {
  /** The cookie name when it can carry {@code Secure} and the {@code __Host-} prefix. */
  public static final String SECURE_COOKIE = "__Host-odim_session";

  /** The cookie name over plain HTTP to a non-local host. */
  public static final String PLAIN_COOKIE = "odim_session";

  private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
  private static final int TOKEN_BYTES = 32;
  private static final int MAX_USER_AGENT = 300;

  private final Db db;
  private final Clock clock;
  private final SecureRandom random;
  private final Duration idleTimeout;
  private final Duration absoluteTimeout;

  public Sessions(
      Db db, Clock clock, SecureRandom random, Duration idleTimeout, Duration absoluteTimeout) {
    if (idleTimeout.isNegative()
        || idleTimeout.isZero()
        || absoluteTimeout.compareTo(idleTimeout) < 0) {
      throw new IllegalArgumentException(
          "need 0 < idle timeout <= absolute timeout, got "
              + idleTimeout
              + " and "
              + absoluteTimeout);
    }
    this.db = db;
    this.clock = clock;
    this.random = random;
    this.idleTimeout = idleTimeout;
    this.absoluteTimeout = absoluteTimeout;
  }

  /** A session just started: the token goes into the cookie and nowhere else. */
  public record Started(UUID sessionId, String token, Instant expiresAt) {}

  /** One live session of a user, as the user may list them. */
  public record SessionView(
      UUID id,
      Instant createdAt,
      Instant lastSeenAt,
      Instant expiresAt,
      String clientIp,
      String userAgent,
      boolean current) {}

  /** Starts a session for {@code userId} inside the caller's transaction. */
  public Started start(Handle handle, UUID userId, String clientIp, String userAgent) {
    byte[] raw = new byte[TOKEN_BYTES];
    random.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Instant now = now();
    Instant absolute = now.plus(absoluteTimeout);
    Instant idle = min(now.plus(idleTimeout), absolute);
    UUID id = UUID.randomUUID();
    handle
        .createUpdate(
            """
            INSERT INTO odim_server.sessions (id, token_hash, user_id, created_at, last_seen_at,
                idle_expires_at, absolute_expires_at, client_ip, user_agent)
            VALUES (:id, :hash, :user, :now, :now, :idle, :absolute, :ip, :agent)
            """)
        .bind("id", id)
        .bind("hash", hash(token))
        .bind("user", userId)
        .bind("now", now)
        .bind("idle", idle)
        .bind("absolute", absolute)
        .bind("ip", clientIp)
        .bind("agent", truncate(userAgent))
        .execute();
    return new Started(id, token, idle);
  }

  @Override
  public Authentication authenticate(Context ctx) {
    String token = token(ctx);
    if (token == null || token.length() > 100) {
      return new Authentication.None();
    }
    Optional<Row> found =
        db.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT s.id, s.user_id, u.role, s.last_seen_at, s.idle_expires_at,
                               s.absolute_expires_at, s.ended_at IS NOT NULL AS ended
                          FROM odim_server.sessions s JOIN odim_server.users u ON u.id = s.user_id
                         WHERE s.token_hash = :hash
                        """)
                    .bind("hash", hash(token))
                    .map(
                        (rs, c) ->
                            new Row(
                                rs.getObject("id", UUID.class),
                                rs.getObject("user_id", UUID.class),
                                Role.fromWireName(rs.getString("role")),
                                rs.getTimestamp("last_seen_at").toInstant(),
                                rs.getTimestamp("idle_expires_at").toInstant(),
                                rs.getTimestamp("absolute_expires_at").toInstant(),
                                rs.getBoolean("ended")))
                    .findOne());
    if (found.isEmpty() || found.get().ended()) {
      return new Authentication.None();
    }
    Row row = found.get();
    Instant now = now();
    if (!now.isBefore(row.idleExpiresAt())) {
      return new Authentication.Expired();
    }
    Instant expiresAt = row.idleExpiresAt();
    if (Duration.between(row.lastSeenAt(), now).compareTo(TOUCH_INTERVAL) >= 0) {
      expiresAt = min(now.plus(idleTimeout), row.absoluteExpiresAt());
      touch(row.id(), now, expiresAt);
    }
    return new Authentication.Valid(new Principal(row.userId(), row.role(), row.id(), expiresAt));
  }

  /** Ends one session (logout, or the user revoking one of theirs). */
  public void end(Handle handle, UUID sessionId, String reason) {
    handle
        .createUpdate(
            "UPDATE odim_server.sessions SET ended_at = :now, ended_reason = :reason"
                + " WHERE id = :id AND ended_at IS NULL")
        .bind("now", now())
        .bind("reason", reason)
        .bind("id", sessionId)
        .execute();
  }

  /** Ends every session of a user, as a password change must. Returns how many were live. */
  public int endAll(Handle handle, UUID userId, String reason) {
    return handle
        .createUpdate(
            "UPDATE odim_server.sessions SET ended_at = :now, ended_reason = :reason"
                + " WHERE user_id = :user AND ended_at IS NULL")
        .bind("now", now())
        .bind("reason", reason)
        .bind("user", userId)
        .execute();
  }

  /** The user's sessions that have not ended or expired, newest first. */
  public List<SessionView> live(UUID userId, UUID currentSessionId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT id, created_at, last_seen_at, idle_expires_at, client_ip, user_agent
                      FROM odim_server.sessions
                     WHERE user_id = :user AND ended_at IS NULL AND idle_expires_at > :now
                     ORDER BY created_at DESC
                    """)
                .bind("user", userId)
                .bind("now", now())
                .map(
                    (rs, c) -> {
                      UUID id = rs.getObject("id", UUID.class);
                      return new SessionView(
                          id,
                          rs.getTimestamp("created_at").toInstant(),
                          rs.getTimestamp("last_seen_at").toInstant(),
                          rs.getTimestamp("idle_expires_at").toInstant(),
                          rs.getString("client_ip"),
                          rs.getString("user_agent"),
                          id.equals(currentSessionId));
                    })
                .list());
  }

  /** The user a session belongs to, for owner checks; {@code null} when there is no such one. */
  public @Nullable UUID ownerOf(String sessionId) {
    UUID id;
    try {
      id = UUID.fromString(sessionId);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return db.withHandle(
        h ->
            h.createQuery("SELECT user_id FROM odim_server.sessions WHERE id = :id")
                .bind("id", id)
                .mapTo(UUID.class)
                .findOne()
                .orElse(null));
  }

  /** Sets the session cookie on the answer. */
  public void writeCookie(Context ctx, Started session) {
    boolean secure = secureContext(ctx);
    long maxAge = absoluteTimeout.toSeconds();
    ctx.header(
        "Set-Cookie",
        (secure ? SECURE_COOKIE : PLAIN_COOKIE)
            + "="
            + session.token()
            + "; Path=/; Max-Age="
            + maxAge
            + "; HttpOnly; SameSite=Lax"
            + (secure ? "; Secure" : ""));
  }

  /** Tells the browser to forget the session cookie. */
  public void clearCookie(Context ctx) {
    boolean secure = secureContext(ctx);
    ctx.header(
        "Set-Cookie",
        (secure ? SECURE_COOKIE : PLAIN_COOKIE)
            + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
            + (secure ? "; Secure" : ""));
  }

  /** Whether the request carries a session cookie at all (for the CSRF check). */
  public static boolean hasCookie(Context ctx) {
    return token(ctx) != null;
  }

  private static @Nullable String token(Context ctx) {
    String token = ctx.cookie(SECURE_COOKIE);
    if (token == null || token.isEmpty()) {
      token = ctx.cookie(PLAIN_COOKIE);
    }
    return token == null || token.isEmpty() ? null : token;
  }

  private static boolean secureContext(Context ctx) {
    if (ClientAddresses.overHttps(ctx)) {
      return true;
    }
    String host = ctx.req().getServerName().toLowerCase(Locale.ROOT);
    return host.equals("localhost")
        || host.endsWith(".localhost")
        || host.equals("127.0.0.1")
        || host.equals("[::1]")
        || host.equals("::1");
  }

  private void touch(UUID id, Instant now, Instant idleExpiresAt) {
    db.useTransaction(
        h ->
            h.createUpdate(
                    "UPDATE odim_server.sessions SET last_seen_at = :now, idle_expires_at = :idle"
                        + " WHERE id = :id AND ended_at IS NULL")
                .bind("now", now)
                .bind("idle", idleExpiresAt)
                .bind("id", id)
                .execute());
  }

  private record Row(
      UUID id,
      UUID userId,
      Role role,
      Instant lastSeenAt,
      Instant idleExpiresAt,
      Instant absoluteExpiresAt,
      boolean ended) {}

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static String truncate(String userAgent) {
    return userAgent.length() <= MAX_USER_AGENT
        ? userAgent
        : userAgent.substring(0, MAX_USER_AGENT);
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
