package dev.odim.core.audit;

import dev.odim.core.OdimConfigException;
import dev.odim.core.audit.internal.PostgresAuditLog;
import dev.odim.core.db.Db;
import java.time.Clock;
import java.util.Objects;
import java.util.regex.Pattern;

/** Configures an {@link AuditLog}; {@link #build()} validates every setting and migrates. */
public final class AuditLogBuilder {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Db db;
  private String schema = "odim_audit";
  private Clock clock = Clock.systemUTC();
  private boolean migrate = true;

  AuditLogBuilder(Db db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** The PostgreSQL schema of the audit tables; default {@code odim_audit}. */
  public AuditLogBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  /** The clock that stamps each row (to the microsecond); default the system clock in UTC. */
  public AuditLogBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Whether {@link #build()} applies the audit log's migrations (default true). */
  public AuditLogBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * Validates the settings, applies migrations and returns the audit log.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public AuditLog build() {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema",
          "must be a lowercase SQL identifier ([a-z_][a-z0-9_]*), was \"" + schema + "\"");
    }
    if (migrate) {
      db.migrate(schema, "db/migration/odim_audit");
    }
    return new PostgresAuditLog(db, schema, clock);
  }
}
