package dev.odim.core.idempotency;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency keys for write requests, stored in PostgreSQL so that every instance sees them.
 *
 * <pre>{@code
 * IdempotencyKeys keys = IdempotencyKeys.builder(db).clock(clock).build();
 *
 * byte[] fingerprint = IdempotencyKeys.fingerprint("POST", "/api/payouts", body);
 * switch (keys.claim("user:" + userId, idempotencyKey, fingerprint)) {
 *   case Claim.Acquired a -> {
 *     StoredResponse response = runTheRequest();   // on failure: keys.release(scope, key)
 *     keys.complete("user:" + userId, idempotencyKey, response);
 *   }
 *   case Claim.Replay r -> answer(r.response());    // the first request's answer, again
 *   case Claim.InProgress p -> answer409();
 *   case Claim.KeyReused k -> answer422();
 * }
 * }</pre>
 *
 * <p>Keys are scoped (by user, say), so one client can never be replayed another's response. A
 * response is kept for {@link Builder#retention} (24 hours by default, as Stripe does) and then
 * purged by {@link #purgeExpired}. A claimed key whose request neither completed nor released it
 * within {@link Builder#lockTimeout} (the process died) can be claimed again, so a crash never
 * leaves a key stuck. Immutable and thread-safe.
 */
public final class IdempotencyKeys {
  /** The IETF draft's key: a short opaque string, printable ASCII without spaces. */
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  private final Db db;
  private final String table;
  private final Clock clock;
  private final Duration retention;
  private final Duration lockTimeout;

  private IdempotencyKeys(Builder builder) {
    this.db = builder.db;
    this.table = builder.schema + ".idempotency_keys";
    this.clock = builder.clock;
    this.retention = builder.retention;
    this.lockTimeout = builder.lockTimeout;
  }

  /** Starts configuring idempotency keys stored through {@code db}. */
  public static Builder builder(Db db) {
    return new Builder(db);
  }

  /** Whether {@code key} is a well-formed idempotency key (1 to 255 printable ASCII, no spaces). */
  public static boolean isValidKey(String key) {
    return KEY.matcher(key).matches();
  }

  /** SHA-256 over the method, the path and the body: what makes two requests "the same". */
  public static byte[] fingerprint(String method, String path, byte[] body) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
      digest.update(body);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Claims {@code key} for a request, or says why it may not run.
   *
   * @throws IllegalArgumentException when the key is malformed (check {@link #isValidKey} first)
   */
  public Claim claim(String scope, String key, byte[] fingerprint) {
    if (!isValidKey(key)) {
      throw new IllegalArgumentException(
          "an idempotency key is 1 to 255 printable ASCII characters");
    }
    if (fingerprint.length != 32) {
      throw new IllegalArgumentException("the fingerprint is a SHA-256, 32 bytes");
    }
    Instant now = now();
    return db.inTransaction(
        h -> {
          // Expired rows are gone as far as a new request is concerned.
          h.createUpdate(
                  "DELETE FROM " + table + " WHERE scope = :s AND key = :k AND expires_at <= :now")
              .bind("s", scope)
              .bind("k", key)
              .bind("now", now)
              .execute();
          int inserted =
              h.createUpdate(
                      "INSERT INTO "
                          + table
                          + " (scope, key, fingerprint, state, created_at, locked_until, expires_at)"
                          + " VALUES (:s, :k, :f, 'in_flight', :now, :locked, :expires)"
                          + " ON CONFLICT (scope, key) DO NOTHING")
                  .bind("s", scope)
                  .bind("k", key)
                  .bind("f", fingerprint)
                  .bind("now", now)
                  .bind("locked", now.plus(lockTimeout))
                  .bind("expires", now.plus(retention))
                  .execute();
          if (inserted == 1) {
            return new Claim.Acquired();
          }
          return existing(h, scope, key, fingerprint, now);
        });
  }

  /** Stores the response of the request that claimed {@code key}; retries get it replayed. */
  public void complete(String scope, String key, StoredResponse response) {
    db.useTransaction(
        h ->
            h.createUpdate(
                    "UPDATE "
                        + table
                        + " SET state = 'completed', status = :status, content_type = :type,"
                        + " headers = :headers, body = :body"
                        + " WHERE scope = :s AND key = :k AND state = 'in_flight'")
                .bind("status", response.status())
                .bind("type", response.contentType())
                .bind("headers", encode(response.headers()))
                .bind("body", response.body())
                .bind("s", scope)
                .bind("k", key)
                .execute());
  }

  /**
   * Forgets a claim whose request failed before it changed anything (or rolled back), so that a
   * retry runs it again.
   */
  public void release(String scope, String key) {
    db.useTransaction(
        h ->
            h.createUpdate(
                    "DELETE FROM "
                        + table
                        + " WHERE scope = :s AND key = :k AND state = 'in_flight'")
                .bind("s", scope)
                .bind("k", key)
                .execute());
  }

  /** Deletes every key past its retention; returns how many. Run it now and then (hourly). */
  public int purgeExpired() {
    return db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM " + table + " WHERE expires_at <= :now")
                .bind("now", now())
                .execute());
  }

  private Claim existing(Handle h, String scope, String key, byte[] fingerprint, Instant now) {
    Optional<Row> found =
        h.createQuery(
                "SELECT fingerprint, state, status, content_type, headers, body, locked_until FROM "
                    + table
                    + " WHERE scope = :s AND key = :k FOR UPDATE")
            .bind("s", scope)
            .bind("k", key)
            .map(
                (rs, c) ->
                    new Row(
                        rs.getBytes("fingerprint"),
                        rs.getString("state"),
                        rs.getInt("status"),
                        rs.getString("content_type"),
                        rs.getString("headers"),
                        rs.getBytes("body"),
                        rs.getTimestamp("locked_until").toInstant()))
            .findOne();
    if (found.isEmpty()) {
      // Released between our insert and this read: the next claim takes it.
      return new Claim.InProgress();
    }
    Row row = found.get();
    if (!MessageDigest.isEqual(row.fingerprint(), fingerprint)) {
      return new Claim.KeyReused();
    }
    if (row.state().equals("completed")) {
      return new Claim.Replay(
          new StoredResponse(
              row.status(),
              row.contentType() == null ? "" : row.contentType(),
              decode(row.headers()),
              row.body()));
    }
    if (row.lockedUntil().isAfter(now)) {
      return new Claim.InProgress();
    }
    // The request that claimed it died; this one takes over.
    h.createUpdate("UPDATE " + table + " SET locked_until = :locked WHERE scope = :s AND key = :k")
        .bind("locked", now.plus(lockTimeout))
        .bind("s", scope)
        .bind("k", key)
        .execute();
    return new Claim.Acquired();
  }

  private record Row(
      byte[] fingerprint,
      String state,
      int status,
      @Nullable String contentType,
      @Nullable String headers,
      byte[] body,
      Instant lockedUntil) {}

  /**
   * Headers as {@code Name: value} lines; StoredResponse refuses names and values that break it.
   */
  private static String encode(Map<String, String> headers) {
    StringBuilder lines = new StringBuilder();
    new TreeMap<>(headers)
        .forEach((name, value) -> lines.append(name).append(": ").append(value).append('\n'));
    return lines.toString();
  }

  private static Map<String, String> decode(@Nullable String lines) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (lines != null) {
      for (String line : lines.split("\n")) {
        int colon = line.indexOf(": ");
        if (colon > 0) {
          headers.put(line.substring(0, colon), line.substring(colon + 2));
        }
      }
    }
    return headers;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Settings of {@link IdempotencyKeys}; {@link #build()} validates them and migrates. */
  public static final class Builder {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Db db;
    private String schema = "odim_idempotency";
    private Clock clock = Clock.systemUTC();
    private Duration retention = Duration.ofHours(24);
    private Duration lockTimeout = Duration.ofMinutes(1);
    private boolean migrate = true;

    private Builder(Db db) {
      this.db = Objects.requireNonNull(db, "db");
    }

    /** The PostgreSQL schema of the table; default {@code odim_idempotency}. */
    public Builder schema(String schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a response is replayed; default 24 hours, at least one minute. */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * How long a claimed key waits for its request before a retry may take it over; default one
     * minute. Longer than the slowest request, or a slow request could run twice.
     */
    public Builder lockTimeout(Duration lockTimeout) {
      this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
      return this;
    }

    /** Whether {@link #build()} applies the migrations (default true). */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * @throws OdimConfigException naming the first invalid setting
     */
    public IdempotencyKeys build() {
      if (!SCHEMA.matcher(schema).matches()) {
        throw new OdimConfigException(
            "schema", "must be a lowercase SQL identifier, was \"" + schema + "\"");
      }
      if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new OdimConfigException("retention", "must be at least one minute, was " + retention);
      }
      if (lockTimeout.isNegative()
          || lockTimeout.isZero()
          || lockTimeout.compareTo(retention) >= 0) {
        throw new OdimConfigException(
            "lockTimeout", "must be positive and shorter than the retention, was " + lockTimeout);
      }
      if (migrate) {
        db.migrate(schema, "db/migration/odim_idempotency");
      }
      return new IdempotencyKeys(this);
    }
  }
}
