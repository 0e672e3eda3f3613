package dev.odim.core.ratelimit.internal;

import dev.odim.core.ratelimit.RateLimitStoreUnavailableException;
import dev.odim.core.ratelimit.RatePolicy;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Everything of {@code RedisRateLimitStore} that touches Lettuce, kept out of the public class so
 * that loading that class (to build it, or to fail with a clear message) never needs Lettuce: it is
 * an optional dependency of odim-core.
 */
public final class RedisBuckets implements AutoCloseable {
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

  /**
   * Buckets in the Redis at {@code redisUri}, connecting in the background from now on.
   *
   * @throws IllegalArgumentException if {@code redisUri} is not a Redis URI
   */
  public RedisBuckets(String redisUri, Duration timeout, Clock clock) {
    this.uri = RedisURI.create(redisUri);
    this.timeout = timeout;
    this.clock = clock;
    this.client = RedisClient.create();
    // No reconnect loop of Lettuce's own: a lost connection is replaced by the next call, within
    // the timeout, so the fallback's cool-down alone decides how often a down Redis is tried.
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

  /** Runs {@code operation} on the bucket stored under {@code key}. */
  public <T> T withBucket(String key, RatePolicy policy, Function<Bucket, T> operation) {
    ProxyManager<String> buckets = connection().buckets();
    try {
      return operation.apply(buckets.builder().build(key, () -> Buckets.configuration(policy)));
    } catch (RuntimeException e) {
      throw unavailable("a Redis command failed or timed out", e);
    }
  }

  /** Deletes the bucket stored under {@code key}. */
  public void remove(String key) {
    ProxyManager<String> buckets = connection().buckets();
    try {
      buckets.removeProxy(key);
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

  /** The open connection, or a new one within the timeout. */
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
}
