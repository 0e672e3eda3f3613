package dev.odim.core.ratelimit;

import dev.odim.core.OdimConfigException;
import dev.odim.core.ratelimit.internal.Buckets;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Buckets in Redis, shared by every instance that uses the same Redis, through Bucket4j's Lettuce
 * integration (compare-and-swap of the bucket state, so Redis needs no scripts beyond the one
 * Bucket4j sends). Needs {@code io.lettuce:lettuce-core} and {@code
 * com.bucket4j:bucket4j_jdk17-lettuce} on the class path; odim-core declares them optional.
 *
 * <pre>{@code
 * RateLimitStore shared =
 *     FallbackRateLimitStore.builder(RedisRateLimitStore.builder(System.getenv("REDIS_URL")).build())
 *         .build();
 * }</pre>
 *
 * <h2>Failures</h2>
 *
 * Every command waits at most the {@link Builder#commandTimeout(Duration) command timeout} (100 ms
 * by default: Redis answers in well under a millisecond on a healthy network, and a request must
 * not wait long for its rate limit). A store that cannot reach Redis throws {@link
 * RateLimitStoreUnavailableException} at once; wrap it in a {@link FallbackRateLimitStore} to keep
 * deciding locally instead. Lettuce's own reconnect loop is off: a lost connection is replaced by
 * the next call, which waits for the new connection at most the command timeout, so the fallback's
 * cool-down alone decides how often a down Redis is tried.
 *
 * <h2>Time and memory</h2>
 *
 * Bucket4j computes refills on the client, by this store's {@link Builder#clock(Clock) clock}, so
 * instances sharing a Redis must keep their clocks in sync. Each key expires in Redis a second
 * after its bucket would be full again, so idle clients cost no memory.
 */
public final class RedisRateLimitStore implements RateLimitStore {
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  // Kept a little after the bucket is full again, so that a key is never deleted while a client
  // that has just been allowed its last token is still in the window.
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(1);

  private final RedisClient client;
  private final RedisURI uri;
  private final Duration timeout;
  private final Clock clock;
  private volatile @Nullable Connection current;
  private @Nullable CompletableFuture<Connection> connecting; // guarded by this

  private record Connection(
      StatefulRedisConnection<String, byte[]> redis, ProxyManager<String> buckets) {}

  private RedisRateLimitStore(RedisURI uri, Duration timeout, Clock clock) {
    this.uri = uri;
    this.timeout = timeout;
    this.clock = clock;
    this.client = RedisClient.create();
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(
                SocketOptions.builder().connectTimeout(max(timeout, Duration.ofSeconds(1))).build())
            .build());
    attempt(); // start connecting now, so that the first request finds Redis ready
  }

  /**
   * A builder for the Redis at {@code redisUri} ({@code redis://host:port/db}, or {@code rediss://}
   * for TLS, as in {@code REDIS_URL}).
   */
  public static Builder builder(String redisUri) {
    return new Builder(redisUri);
  }

  @Override
  public Consumption tryConsume(String key, RatePolicy policy, long tokens) {
    Buckets.checkTokens(tokens);
    return withBucket(key, policy, bucket -> Buckets.tryConsume(bucket, tokens));
  }

  @Override
  public long consumeUpTo(String key, RatePolicy policy, long tokens) {
    Buckets.checkTokens(tokens);
    return withBucket(key, policy, bucket -> bucket.tryConsumeAsMuchAsPossible(tokens));
  }

  @Override
  public BucketLevel level(String key, RatePolicy policy) {
    return withBucket(key, policy, bucket -> Buckets.level(bucket, policy));
  }

  @Override
  public void reset(String key, RatePolicy policy) {
    Buckets.checkKey(key);
    ProxyManager<String> buckets = connection().buckets();
    try {
      buckets.removeProxy(Buckets.key(policy, key));
    } catch (RuntimeException e) {
      throw unavailable("could not reset a bucket", e);
    }
  }

  @Override
  public void close() {
    CompletableFuture<Connection> attempt;
    synchronized (this) {
      attempt = connecting;
    }
    if (attempt != null && attempt.isDone() && !attempt.isCompletedExceptionally()) {
      attempt.join().redis().close();
    }
    Connection connection = current;
    if (connection != null) {
      connection.redis().close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "Redis at " + uri.getHost() + ":" + uri.getPort(); // never the password
  }

  private <T> T withBucket(String key, RatePolicy policy, Function<Bucket, T> operation) {
    Buckets.checkKey(key);
    Objects.requireNonNull(policy, "policy");
    ProxyManager<String> buckets = connection().buckets();
    try {
      Bucket bucket =
          buckets.builder().build(Buckets.key(policy, key), () -> Buckets.configuration(policy));
      return operation.apply(bucket);
    } catch (RuntimeException e) {
      throw unavailable("a Redis command failed or timed out", e);
    }
  }

  /** The open connection, or a new one within the command timeout. */
  private Connection connection() {
    Connection connection = current;
    if (connection != null && connection.redis().isOpen()) {
      return connection;
    }
    CompletableFuture<Connection> attempt = attempt();
    try {
      connection = attempt.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      current = connection;
      return connection;
    } catch (TimeoutException e) {
      throw unavailable("no connection within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw unavailable("could not connect", e.getCause() == null ? e : e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while connecting", e);
    }
  }

  /** The connection attempt in flight or done, or a new one if the last failed or was lost. */
  private synchronized CompletableFuture<Connection> attempt() {
    CompletableFuture<Connection> attempt = connecting;
    if (attempt != null && !attempt.isDone()) {
      return attempt;
    }
    if (attempt != null && !attempt.isCompletedExceptionally()) {
      Connection done = attempt.join();
      if (done.redis().isOpen()) {
        return attempt;
      }
      done.redis().closeAsync();
    }
    attempt =
        client
            .connectAsync(CODEC, uri)
            .toCompletableFuture()
            .thenApply(
                redis ->
                    new Connection(
                        redis,
                        Bucket4jLettuce.casBasedBuilder(redis)
                            .clientClock(Buckets.timeMeter(clock))
                            .requestTimeout(timeout)
                            .expirationAfterWrite(
                                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                    KEEP_AFTER_FULL))
                            .build()));
    connecting = attempt;
    return attempt;
  }

  private RateLimitStoreUnavailableException unavailable(String what, Throwable cause) {
    return new RateLimitStoreUnavailableException(
        this + ": " + what + " (" + cause.getClass().getSimpleName() + ")", cause);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Settings of a {@link RedisRateLimitStore}. */
  public static final class Builder {
    private final String redisUri;
    private Duration commandTimeout = Duration.ofMillis(100);
    private Clock clock = Clock.systemUTC();

    private Builder(String redisUri) {
      this.redisUri = Objects.requireNonNull(redisUri, "redisUri");
    }

    /**
     * How long one Redis command, or waiting for a connection, may take before the store gives up;
     * 100 ms by default, between 1 ms and 10 s.
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The clock that buckets refill by; the system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The store, connecting in the background; it does not fail if Redis is down now.
     *
     * @throws OdimConfigException if the URI is not a Redis URI, the timeout is out of range, or
     *     Lettuce is not on the class path
     */
    public RedisRateLimitStore build() {
      if (commandTimeout.compareTo(Duration.ofMillis(1)) < 0
          || commandTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new OdimConfigException(
            "commandTimeout", "must be between 1 ms and 10 s, was " + commandTimeout);
      }
      try {
        Class.forName("io.lettuce.core.RedisClient", false, Builder.class.getClassLoader());
        Class.forName(
            "io.github.bucket4j.redis.lettuce.Bucket4jLettuce",
            false,
            Builder.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new OdimConfigException(
            "redisUri",
            "Redis rate limiting needs io.lettuce:lettuce-core and"
                + " com.bucket4j:bucket4j_jdk17-lettuce on the class path");
      }
      RedisURI uri;
      try {
        uri = RedisURI.create(redisUri);
      } catch (RuntimeException e) {
        // Not the parser's message: it may quote the URI, password and all.
        throw new OdimConfigException("redisUri", "not a Redis URI (redis://host:port/db)");
      }
      return new RedisRateLimitStore(uri, commandTimeout, clock);
    }
  }
}
