package dev.odim.testkit;

import dev.odim.testkit.internal.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/**
 * A Redis server started from the binary that codemonstur's embedded-redis bundles, on a free port
 * of 127.0.0.1, with persistence off: for tests and benchmarks on a machine with no Redis.
 *
 * <pre>{@code
 * try (EmbeddedRedis redis = EmbeddedRedis.start()) {
 *   RedisClient client = RedisClient.create(redis.address().uri());
 * }
 * }</pre>
 */
public final class EmbeddedRedis implements AutoCloseable {
  private final RedisServer server;
  private final TestRedis address;

  private EmbeddedRedis(RedisServer server, TestRedis address) {
    this.server = server;
    this.address = address;
  }

  /** Starts a server and returns once it accepts connections. */
  public static EmbeddedRedis start() {
    try {
      int port = Ports.free();
      RedisServer server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
      return new EmbeddedRedis(server, new TestRedis("127.0.0.1", port, 0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded Redis", e);
    }
  }

  /** Where the server listens (database 0). */
  public TestRedis address() {
    return address;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop embedded Redis", e);
    }
  }
}
