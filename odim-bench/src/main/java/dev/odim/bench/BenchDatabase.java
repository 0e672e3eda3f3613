package dev.odim.bench;

import dev.odim.core.db.DatabaseUrl;
import dev.odim.testkit.EmbeddedPostgres;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL a benchmark runs on: {@code DATABASE_URL} when set, otherwise an embedded server
 * with fsync on, as a production server would run, stopped by {@link #close()}.
 */
public final class BenchDatabase implements AutoCloseable {
  private final DatabaseUrl url;
  private final @Nullable EmbeddedPostgres embedded;

  private BenchDatabase(DatabaseUrl url, @Nullable EmbeddedPostgres embedded) {
    this.url = url;
    this.embedded = embedded;
  }

  /** Uses {@code DATABASE_URL} from the options, or starts an embedded server. */
  public static BenchDatabase open(BenchOptions options, ResultSink out) {
    String configured = options.databaseUrl();
    if (configured != null) {
      return new BenchDatabase(DatabaseUrl.parse(configured), null);
    }
    out.progress("starting embedded PostgreSQL (durable: fsync on, as in production)");
    EmbeddedPostgres embedded = EmbeddedPostgres.builder().durable(true).start();
    return new BenchDatabase(DatabaseUrl.parse(embedded.jdbcUrl("postgres")), embedded);
  }

  public DatabaseUrl url() {
    return url;
  }

  /** The embedded server's data directory, or null on a server named by DATABASE_URL. */
  public @Nullable Path dataDirectory() {
    return embedded == null ? null : embedded.dataDirectory();
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
