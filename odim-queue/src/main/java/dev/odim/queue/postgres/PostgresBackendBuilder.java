package dev.odim.queue.postgres;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import java.time.Clock;
import java.util.Objects;
import java.util.regex.Pattern;

/** Configures a {@link PostgresBackend}; {@link #build()} validates every setting. */
public final class PostgresBackendBuilder {
  /**
   * A lowercase SQL identifier short enough that the schema's NOTIFY channel ({@code
   * <schema>_enqueued}) stays within PostgreSQL's 63 characters.
   */
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,53}");

  private final Db db;
  private String schema = "odim_queue";
  private boolean migrate = true;
  private boolean listen = true;
  private Clock clock = Clock.systemUTC();

  PostgresBackendBuilder(Db db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** The PostgreSQL schema of the queue's tables; default {@code odim_queue}. */
  public PostgresBackendBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  /** Whether {@link #build()} applies the queue's migrations (default true). */
  public PostgresBackendBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * Whether idle workers are woken by LISTEN/NOTIFY (default true). Each backend with subscribed
   * workers then holds one pooled connection. Turn it off behind a pooler in transaction mode
   * (PgBouncer), where LISTEN does not work; workers then find jobs by polling alone.
   */
  public PostgresBackendBuilder listen(boolean listen) {
    this.listen = listen;
    return this;
  }

  /**
   * The clock {@link PostgresBackend#job} reads to tell a waiting job from a scheduled one, the one
   * question of the backend that comes without a {@code now}; give it the queue's clock. Default
   * the system clock in UTC.
   */
  public PostgresBackendBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Validates the settings, applies the migrations and builds the backend.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public PostgresBackend build() {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema",
          "must be a lowercase SQL identifier ([a-z_][a-z0-9_]*) of at most 54 characters, was \""
              + schema
              + "\"");
    }
    if (migrate) {
      db.migrate(schema, "db/migration/odim_queue");
    }
    return new PostgresBackend(db, schema, listen, clock);
  }
}
