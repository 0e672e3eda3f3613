package dev.odim.bench;

import dev.odim.testkit.EmbeddedRedis;
import org.jspecify.annotations.Nullable;

/**
 * The Redis a benchmark runs on: {@code REDIS_URL} when set, otherwise an embedded server (no
 * persistence), stopped by {@link #close()}.
 */
public final class BenchRedis implements AutoCloseable {
  private final String uri;
  private final @Nullable EmbeddedRedis embedded;

  private BenchRedis(String uri, @Nullable EmbeddedRedis embedded) {
    this.uri = uri;
    this.embedded = embedded;
  }

  /** Uses {@code REDIS_URL} from the options, or starts an embedded server. */
  public static BenchRedis open(BenchOptions options, ResultSink out) {
    String configured = options.redisUrl();
    if (configured != null) {
      return new BenchRedis(configured, null);
    }
    out.progress("starting embedded Redis");
    EmbeddedRedis embedded = EmbeddedRedis.start();
    return new BenchRedis(embedded.address().uri(), embedded);
  }

  /** A {@code redis://} URI. */
  public String uri() {
    return uri;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
