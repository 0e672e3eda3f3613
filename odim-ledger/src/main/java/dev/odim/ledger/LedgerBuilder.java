package dev.odim.ledger;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.ledger.internal.PostgresLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configures a {@link Ledger}; {@link #build()} validates every setting, migrates the schema and
 * starts the group-commit writer.
 */
public final class LedgerBuilder {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Db db;
  private String schema = "odim_ledger";
  private Clock clock = Clock.systemUTC();
  private int maxBatchSize = 8192;
  private int writers = 2;
  private boolean migrate = true;
  private Duration expiryInterval = Duration.ofSeconds(1);

  LedgerBuilder(Db db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** The PostgreSQL schema of the ledger's tables; default {@code odim_ledger}. */
  public LedgerBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  /** The clock for timestamps and hold timeouts; default the system clock in UTC. */
  public LedgerBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * The most transfers one group-commit transaction applies, 1 to 100,000; default 8,192. Larger
   * batches amortize the commit further but hold account locks longer.
   */
  public LedgerBuilder maxBatchSize(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
    return this;
  }

  /**
   * How often the ledger releases pending transfers whose timeout has passed by its clock (default
   * 1 s; {@link Duration#ZERO} turns it off, for hosts that call {@link
   * Ledger#expirePendingTransfers()} from their own scheduler). A post or void of an expired hold
   * is refused whenever it comes, swept or not.
   */
  public LedgerBuilder expiryInterval(Duration expiryInterval) {
    this.expiryInterval = Objects.requireNonNull(expiryInterval, "expiryInterval");
    return this;
  }

  /**
   * How many group-commit transactions may run at once, 1 to 64; default 2. One keeps the
   * database's work on a single core; more let one batch be validated, sent and committed while
   * another runs, at the cost of one pooled connection each (the {@code Db}'s pool must have room
   * for them).
   */
  public LedgerBuilder writers(int writers) {
    this.writers = writers;
    return this;
  }

  /** Whether {@link #build()} applies the ledger's migrations (default true). */
  public LedgerBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * Validates the settings, applies migrations and starts the ledger.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public Ledger build() {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema",
          "must be a lowercase SQL identifier ([a-z_][a-z0-9_]*), was \"" + schema + "\"");
    }
    if (maxBatchSize < 1 || maxBatchSize > 100_000) {
      throw new OdimConfigException("maxBatchSize", "must be 1 to 100000, was " + maxBatchSize);
    }
    if (writers < 1 || writers > 64) {
      throw new OdimConfigException("writers", "must be 1 to 64, was " + writers);
    }
    if (expiryInterval.isNegative()
        || (!expiryInterval.isZero() && expiryInterval.compareTo(Duration.ofMillis(10)) < 0)) {
      throw new OdimConfigException(
          "expiryInterval", "must be 0 (off) or at least 10 ms, was " + expiryInterval);
    }
    if (migrate) {
      db.migrate(schema, "db/migration/odim_ledger");
    }
    return new PostgresLedger(db, schema, clock, maxBatchSize, writers, expiryInterval);
  }
}
