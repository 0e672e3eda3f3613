package dev.odim.server.internal;

import dev.odim.testkit.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * The PostgreSQL the server starts for itself when no {@code DATABASE_URL} is given, keeping its
 * data in a directory so that a restart finds it again; a lock left by a killed run is recovered
 * (see {@link EmbeddedPostgres}). The one place the server touches the testkit.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL on a free port with its data in {@code dataDirectory}, reusing data that is
   * already there. Durable: commits are flushed to disk as on any production server.
   */
  public static EmbeddedDatabase start(Path dataDirectory) {
    return new EmbeddedDatabase(
        EmbeddedPostgres.builder()
            .dataDirectory(dataDirectory)
            .port(0)
            .durable(true)
            // The server stops it itself, after the pool, in its own shutdown order.
            .registerShutdownHook(false)
            .start());
  }

  /** The JDBC URL of the {@code postgres} database, with the user in its query. */
  public String jdbcUrl() {
    return postgres.jdbcUrl("postgres");
  }

  /** Stops PostgreSQL (a fast shutdown: connections are closed, data is kept). */
  @Override
  public void close() {
    postgres.close();
  }
}
