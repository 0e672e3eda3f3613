package dev.odim.core.db;

import dev.odim.core.OdimConfigException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link Db}. Every setting is validated by {@link #build()}, which names the bad one
 * in an {@link OdimConfigException}; a built {@code Db} never changes its settings.
 */
public final class DbBuilder {
  private final DatabaseUrl url;
  private @Nullable String user;
  private @Nullable String password;
  private int maximumPoolSize = 10;
  private Duration connectionTimeout = Duration.ofSeconds(5);
  private String poolName = "odim";
  private @Nullable MeterRegistry meterRegistry;
  private int transactionAttempts = 10;
  private Duration retryBaseDelay = Duration.ofMillis(5);
  private Duration retryMaxDelay = Duration.ofMillis(500);

  DbBuilder(DatabaseUrl url) {
    this.url = url;
    this.user = url.user();
    this.password = url.password();
  }

  /** The user to connect as; overrides one given in the URL. */
  public DbBuilder user(String user) {
    this.user = Objects.requireNonNull(user, "user");
    return this;
  }

  /** The password; overrides one given in the URL. */
  public DbBuilder password(String password) {
    this.password = Objects.requireNonNull(password, "password");
    return this;
  }

  /** Connections in the pool, 1 to 1000; default 10 (HikariCP's advice: cores * 2 + spindles). */
  public DbBuilder maximumPoolSize(int maximumPoolSize) {
    this.maximumPoolSize = maximumPoolSize;
    return this;
  }

  /**
   * How long a caller waits for a connection before failing, at least 250 ms; default 5 s, short
   * enough that a dead database turns into an answer instead of a hung request.
   */
  public DbBuilder connectionTimeout(Duration connectionTimeout) {
    this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    return this;
  }

  /** Names the pool in metrics and in {@code pg_stat_activity.application_name}; default odim. */
  public DbBuilder poolName(String poolName) {
    this.poolName = Objects.requireNonNull(poolName, "poolName");
    return this;
  }

  /** Where pool and transaction-retry metrics go; default a private in-memory registry. */
  public DbBuilder meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /**
   * How many times {@link Db#inTransaction} runs a callback that keeps failing with a serialization
   * failure or deadlock, 1 to 100; default 10.
   */
  public DbBuilder transactionAttempts(int transactionAttempts) {
    this.transactionAttempts = transactionAttempts;
    return this;
  }

  /**
   * The backoff between transaction attempts: a random delay (full jitter) up to {@code base * 2^n}
   * capped at {@code max}; defaults 5 ms and 500 ms.
   */
  public DbBuilder retryDelays(Duration base, Duration max) {
    this.retryBaseDelay = Objects.requireNonNull(base, "base");
    this.retryMaxDelay = Objects.requireNonNull(max, "max");
    return this;
  }

  /**
   * Validates the settings, opens the pool and returns the {@code Db}.
   *
   * @throws OdimConfigException naming the first invalid setting
   * @throws DbUnavailableException when the database cannot be reached
   */
  public Db build() {
    if (maximumPoolSize < 1 || maximumPoolSize > 1000) {
      throw new OdimConfigException("maximumPoolSize", "must be 1 to 1000, was " + maximumPoolSize);
    }
    if (connectionTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new OdimConfigException(
          "connectionTimeout", "must be at least 250 ms, was " + connectionTimeout);
    }
    if (poolName.isBlank()) {
      throw new OdimConfigException("poolName", "must not be blank");
    }
    if (transactionAttempts < 1 || transactionAttempts > 100) {
      throw new OdimConfigException(
          "transactionAttempts", "must be 1 to 100, was " + transactionAttempts);
    }
    if (retryBaseDelay.isNegative() || retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw new OdimConfigException(
          "retryDelays", "need 0 <= base <= max, were " + retryBaseDelay + " and " + retryMaxDelay);
    }
    return new Db(
        new Db.Settings(
            url.jdbcUrl(),
            user,
            password,
            maximumPoolSize,
            connectionTimeout,
            poolName,
            meterRegistry == null ? new SimpleMeterRegistry() : meterRegistry,
            transactionAttempts,
            retryBaseDelay,
            retryMaxDelay));
  }
}
