package dev.odim.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import dev.odim.core.OdimConfigException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jspecify.annotations.Nullable;

/**
 * One PostgreSQL database: a HikariCP pool, a Jdbi instance over it, per-module Flyway migrations
 * and transactions that retry serialization failures and deadlocks.
 *
 * <pre>{@code
 * try (Db db = Db.builder(System.getenv("DATABASE_URL")).build()) {
 *   db.migrate("odim_ledger", "db/migration/odim_ledger");
 *   long id = db.inTransaction(handle -> insertAndReturnId(handle));
 * }
 * }</pre>
 *
 * <p>Library calls take an optional caller's {@link Handle} and run through {@link
 * #inTransaction(Handle, HandleCallback)}: with a handle they join the caller's transaction (one
 * business fact, one commit, and the caller owns any retry); without one they open their own.
 */
public final class Db implements AutoCloseable {
  static final String SERIALIZATION_FAILURE = "40001";
  static final String DEADLOCK_DETECTED = "40P01";
  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  record Settings(
      String jdbcUrl,
      @Nullable String user,
      @Nullable String password,
      int maximumPoolSize,
      Duration connectionTimeout,
      String poolName,
      MeterRegistry meterRegistry,
      int transactionAttempts,
      Duration retryBaseDelay,
      Duration retryMaxDelay) {}

  private final Settings settings;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Counter deadlocks;
  private final Counter serializationFailures;
  private final Counter exhaustedRetries;

  Db(Settings settings) {
    this.settings = settings;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.setPoolName(settings.poolName());
    config.setMaximumPoolSize(settings.maximumPoolSize());
    config.setConnectionTimeout(settings.connectionTimeout().toMillis());
    config.addDataSourceProperty("ApplicationName", settings.poolName());
    try {
      this.dataSource = new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      throw new DbUnavailableException(
          "cannot connect to " + settings.jdbcUrl() + ": " + rootMessage(e), e);
    }
    this.jdbi = Jdbi.create(dataSource);
    MeterRegistry registry = settings.meterRegistry();
    this.deadlocks =
        Counter.builder("odim.db.deadlocks")
            .description("Transactions that hit a deadlock (SQLSTATE 40P01); each was retried")
            .tag("pool", settings.poolName())
            .register(registry);
    this.serializationFailures =
        Counter.builder("odim.db.serialization.failures")
            .description("Transactions that hit a serialization failure (SQLSTATE 40001)")
            .tag("pool", settings.poolName())
            .register(registry);
    this.exhaustedRetries =
        Counter.builder("odim.db.transaction.retries.exhausted")
            .description("Transactions that failed every attempt")
            .tag("pool", settings.poolName())
            .register(registry);
    registerPoolGauges(registry);
  }

  /**
   * Starts configuring a {@code Db} for a URL in either spelling of {@link DatabaseUrl}.
   *
   * @throws OdimConfigException naming {@code DATABASE_URL} when the URL is invalid
   */
  public static DbBuilder builder(String url) {
    return new DbBuilder(DatabaseUrl.parse(url));
  }

  /** Starts configuring a {@code Db} for an already parsed URL. */
  public static DbBuilder builder(DatabaseUrl url) {
    return new DbBuilder(Objects.requireNonNull(url, "url"));
  }

  /** The Jdbi instance over the pool, for queries that need no transaction of their own. */
  public Jdbi jdbi() {
    return jdbi;
  }

  /** The pool itself. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Runs the callback in a new transaction and commits it, retrying the whole callback with
   * jittered backoff when PostgreSQL reports a serialization failure (40001) or a deadlock (40P01).
   * The callback may therefore run more than once and must have no effects outside the transaction.
   *
   * @throws TransactionRetriesExhaustedException when every attempt failed that way
   */
  public <T, X extends Exception> T inTransaction(HandleCallback<T, X> callback) throws X {
    Objects.requireNonNull(callback, "callback");
    // The server's default isolation (read committed): naming a level costs two extra round trips
    // per transaction (set it, then restore it), measured at half the throughput (bench db).
    return retrying(() -> jdbi.inTransaction(callback));
  }

  /** {@link #inTransaction(HandleCallback)} at the given isolation level. */
  public <T, X extends Exception> T inTransaction(
      TransactionIsolationLevel isolation, HandleCallback<T, X> callback) throws X {
    Objects.requireNonNull(callback, "callback");
    return retrying(() -> jdbi.inTransaction(isolation, callback));
  }

  /** One whole transaction, which {@link #retrying} may run again. */
  @FunctionalInterface
  private interface Attempt<T, X extends Exception> {
    T run() throws X;
  }

  private <T, X extends Exception> T retrying(Attempt<T, X> transaction) throws X {
    for (int attempt = 1; ; attempt++) {
      try {
        return transaction.run();
      } catch (Exception e) {
        String sqlState = retryableSqlState(e);
        if (sqlState == null) {
          throw e;
        }
        (DEADLOCK_DETECTED.equals(sqlState) ? deadlocks : serializationFailures).increment();
        if (attempt >= settings.transactionAttempts()) {
          exhaustedRetries.increment();
          throw new TransactionRetriesExhaustedException(attempt, sqlState, e);
        }
        pauseBeforeAttempt(attempt + 1);
      }
    }
  }

  /**
   * Joins the caller's transaction when {@code handle} is given (the callback runs in it and the
   * caller commits, or retries, the whole), otherwise behaves as {@link
   * #inTransaction(HandleCallback)}. Library write methods use this for their {@code Handle}
   * overloads.
   */
  public <T, X extends Exception> T inTransaction(
      @Nullable Handle handle, HandleCallback<T, X> callback) throws X {
    if (handle == null) {
      return inTransaction(callback);
    }
    return handle.inTransaction(callback);
  }

  /** {@link #inTransaction(HandleCallback)} for a callback that returns nothing. */
  public <X extends Exception> void useTransaction(HandleConsumer<X> callback) throws X {
    Objects.requireNonNull(callback, "callback");
    inTransaction(
        handle -> {
          callback.useHandle(handle);
          return null;
        });
  }

  /** Runs the callback with a handle in auto-commit mode (no transaction, no retry). */
  public <T, X extends Exception> T withHandle(HandleCallback<T, X> callback) throws X {
    return jdbi.withHandle(callback);
  }

  /**
   * Applies the Flyway migrations found at {@code location} (a classpath folder such as {@code
   * db/migration/odim_ledger}) to {@code schema}, creating the schema if needed and keeping the
   * migration history in that schema's own {@code flyway_schema_history}. Migrations see the schema
   * as the first entry of their {@code search_path} and as the placeholder {@code ${schema}}, so
   * that a host may choose another schema name.
   *
   * @return how many migrations were applied now
   */
  public int migrate(String schema, String location) {
    if (!SCHEMA_NAME.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema",
          "must be a lowercase SQL identifier ([a-z_][a-z0-9_]*), was \"" + schema + "\"");
    }
    String classpathLocation = location.contains(":") ? location : "classpath:" + location;
    MigrateResult result =
        Flyway.configure(Db.class.getClassLoader())
            .dataSource(dataSource)
            .schemas(schema)
            .defaultSchema(schema)
            .createSchemas(true)
            .locations(classpathLocation)
            .placeholders(Map.of("schema", schema))
            .failOnMissingLocations(true)
            .load()
            .migrate();
    return result.migrationsExecuted;
  }

  /**
   * Answers whether the database answers a trivial query within {@code timeout}; never throws.
   * Readiness probes use this, so it must not hang when the database is gone.
   */
  public boolean isReachable(Duration timeout) {
    try (var connection = dataSource.getConnection()) {
      return connection.isValid((int) Math.max(1, timeout.toSeconds()));
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /** Deadlocks seen (and retried) by {@link #inTransaction} since this {@code Db} was built. */
  public long deadlocksRetried() {
    return (long) deadlocks.count();
  }

  /** Serialization failures seen (and retried) by {@link #inTransaction} since start. */
  public long serializationFailuresRetried() {
    return (long) serializationFailures.count();
  }

  /** Closes the pool; connections in use are closed when returned. */
  @Override
  public void close() {
    dataSource.close();
  }

  private void registerPoolGauges(MeterRegistry registry) {
    poolGauge(
        registry,
        "odim.db.pool.active",
        "Connections in use",
        HikariPoolMXBean::getActiveConnections);
    poolGauge(
        registry, "odim.db.pool.idle", "Idle connections", HikariPoolMXBean::getIdleConnections);
    poolGauge(
        registry,
        "odim.db.pool.connections",
        "Open connections",
        HikariPoolMXBean::getTotalConnections);
    poolGauge(
        registry,
        "odim.db.pool.pending",
        "Threads waiting for a connection",
        HikariPoolMXBean::getThreadsAwaitingConnection);
    Gauge.builder("odim.db.pool.max", settings, s -> s.maximumPoolSize())
        .description("Maximum connections")
        .tag("pool", settings.poolName())
        .register(registry);
  }

  private void poolGauge(
      MeterRegistry registry,
      String name,
      String description,
      ToDoubleFunction<HikariPoolMXBean> value) {
    Gauge.builder(
            name,
            dataSource,
            ds -> {
              HikariPoolMXBean pool = ds.getHikariPoolMXBean();
              return pool == null ? 0 : value.applyAsDouble(pool);
            })
        .description(description)
        .tag("pool", settings.poolName())
        .register(registry);
  }

  private void pauseBeforeAttempt(int attempt) {
    long base = settings.retryBaseDelay().toNanos();
    long cap = settings.retryMaxDelay().toNanos();
    long ceiling = Math.min(cap, base << Math.min(attempt - 1, 20));
    long delay = ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    if (delay == 0) {
      return;
    }
    try {
      Thread.sleep(Duration.ofNanos(delay));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbUnavailableException("interrupted while waiting to retry a transaction", e);
    }
  }

  /** The SQLSTATE when the failure is one that a retry of the whole transaction can cure. */
  static @Nullable String retryableSqlState(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException e = sql; e != null; e = e.getNextException()) {
          String state = e.getSQLState();
          if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state)) {
            return state;
          }
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}
