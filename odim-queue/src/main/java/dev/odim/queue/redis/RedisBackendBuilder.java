package dev.odim.queue.redis;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.queue.QueueException;
import dev.odim.queue.redis.internal.LuaScripts;
import dev.odim.queue.redis.internal.TransactionalCompletion;
import dev.odim.queue.redis.internal.Wakeups;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link RedisBackend}; {@link #build()} validates every setting, connects, loads the
 * scripts and, with a database, migrates its table.
 */
public final class RedisBackendBuilder {
  /** No braces: a brace in the prefix would move the hash tag that keeps a queue on one slot. */
  private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final Pattern REDIS_VERSION = Pattern.compile("redis_version:(\\d+)\\.(\\d+)");

  private final @Nullable String redisUri;
  private final @Nullable RedisClient client;
  private String keyPrefix = "odim:queue";
  private @Nullable Db database;
  private String schema = "odim_queue_redis";
  private boolean migrate = true;
  private Duration finishedJobRetention = Duration.ofDays(7);
  private Duration commandTimeout = Duration.ofSeconds(10);

  RedisBackendBuilder(@Nullable String redisUri, @Nullable RedisClient client) {
    if (redisUri == null) {
      Objects.requireNonNull(client, "client");
    }
    this.redisUri = redisUri;
    this.client = client;
  }

  /**
   * The start of every key the backend writes, 1 to 100 of {@code A-Z a-z 0-9 _ . : -}; default
   * {@code odim:queue}. Two applications sharing one Redis database need two prefixes.
   */
  public RedisBackendBuilder keyPrefix(String keyPrefix) {
    this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    return this;
  }

  /**
   * The database that transactional handlers write to; without one, a worker with a transactional
   * handler fails its jobs with a {@link QueueException} that says so.
   */
  public RedisBackendBuilder database(Db database) {
    this.database = Objects.requireNonNull(database, "database");
    return this;
  }

  /**
   * The PostgreSQL schema of the {@code processed_jobs} table; default {@code odim_queue_redis}.
   */
  public RedisBackendBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  /**
   * Whether {@link #build()} applies the table's migrations when a database is set (default true).
   */
  public RedisBackendBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * How long a finished job's id stays a duplicate (and its {@code processed_jobs} row is kept), 1
   * minute to 365 days; default 7 days. It must outlast the longest time an outbox relay may take
   * to send a job again, which is its retries (about two days). Finished ids are kept in one set
   * per retention-long bucket of time, each living two retentions, at about 80 bytes of Redis
   * memory per id: at a sustained 100 jobs a second, 7 days hold up to about 10 GB, so a busy queue
   * wants a retention of 3 days or so.
   */
  public RedisBackendBuilder finishedJobRetention(Duration finishedJobRetention) {
    this.finishedJobRetention =
        Objects.requireNonNull(finishedJobRetention, "finishedJobRetention");
    return this;
  }

  /** How long one Redis command may take before it fails, 10 ms to 10 min; default 10 s. */
  public RedisBackendBuilder commandTimeout(Duration commandTimeout) {
    this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
    return this;
  }

  /**
   * Validates the settings, connects and prepares the backend.
   *
   * @throws OdimConfigException naming the first invalid setting
   * @throws QueueException when Redis cannot be reached
   */
  public RedisBackend build() {
    RedisURI uri = redisUri == null ? null : parse(redisUri);
    if (!KEY_PREFIX.matcher(keyPrefix).matches()) {
      throw new OdimConfigException(
          "keyPrefix", "must be 1 to 100 of A-Z a-z 0-9 _ . : -, was \"" + keyPrefix + "\"");
    }
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema",
          "must be a lowercase SQL identifier ([a-z_][a-z0-9_]*), was \"" + schema + "\"");
    }
    if (finishedJobRetention.compareTo(Duration.ofMinutes(1)) < 0
        || finishedJobRetention.compareTo(Duration.ofDays(365)) > 0) {
      throw new OdimConfigException(
          "finishedJobRetention", "must be 1 minute to 365 days, was " + finishedJobRetention);
    }
    if (commandTimeout.compareTo(Duration.ofMillis(10)) < 0
        || commandTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new OdimConfigException(
          "commandTimeout", "must be 10 ms to 10 minutes, was " + commandTimeout);
    }
    TransactionalCompletion transactional = null;
    if (database != null) {
      if (migrate) {
        database.migrate(schema, "db/migration/odim_queue_redis");
      }
      transactional = new TransactionalCompletion(database, schema, finishedJobRetention);
    }
    RedisClient owned = uri == null ? null : RedisClient.create(uri);
    RedisClient lettuce = owned != null ? owned : Objects.requireNonNull(client);
    StatefulRedisConnection<String, String> connection = null;
    try {
      connection = lettuce.connect(StringCodec.UTF8);
      connection.setTimeout(commandTimeout);
      requireVersion(connection.sync().info("server"));
      LuaScripts scripts = new LuaScripts(connection.sync(), finishedJobRetention);
      return new RedisBackend(
          keyPrefix, owned, connection, scripts, new Wakeups(lettuce), transactional);
    } catch (RuntimeException e) {
      if (connection != null) {
        connection.close();
      }
      if (owned != null) {
        owned.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      throw e instanceof QueueException queue
          ? queue
          : new QueueException("cannot use Redis" + where(uri) + ": " + e.getMessage(), e);
    }
  }

  /** The scripts use SMISMEMBER (Redis 6.2); an older server would fail them at run time. */
  private static void requireVersion(String serverInfo) {
    Matcher version = REDIS_VERSION.matcher(serverInfo);
    if (version.find()) {
      int major = Integer.parseInt(version.group(1));
      int minor = Integer.parseInt(version.group(2));
      if (major < 6 || (major == 6 && minor < 2)) {
        throw new QueueException(
            "the Redis backend needs Redis 6.2 or newer; the server runs "
                + version.group(1)
                + "."
                + version.group(2));
      }
    }
  }

  private static RedisURI parse(String redisUri) {
    try {
      return RedisURI.create(redisUri);
    } catch (RuntimeException e) {
      // the URI may carry a password, so it is not repeated here
      throw new OdimConfigException(
          "redisUri", "must be redis://host:port/db or rediss://host:port/db");
    }
  }

  private static String where(@Nullable RedisURI uri) {
    return uri == null ? "" : " at " + uri.getHost() + ":" + uri.getPort();
  }
}
