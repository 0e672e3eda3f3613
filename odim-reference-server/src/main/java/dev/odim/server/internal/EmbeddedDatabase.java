package dev.odim.server.internal;

import dev.odim.core.OdimConfigException;
import java.nio.file.Path;

/**
 * The PostgreSQL the server starts for itself when no {@code DATABASE_URL} is given, keeping its
 * data in a directory so that a restart finds it again. The one place the server touches the
 * testkit's embedded PostgreSQL; this build does not include it yet, so {@link #start} refuses with
 * a configuration error that tells the user to set {@code DATABASE_URL}.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final String jdbcUrl;
  private final AutoCloseable postgres;

  private EmbeddedDatabase(String jdbcUrl, AutoCloseable postgres) {
    this.jdbcUrl = jdbcUrl;
    this.postgres = postgres;
  }

  /**
   * Starts PostgreSQL on a free port with its data in {@code dataDirectory}, reusing data that is
   * already there.
   *
   * @throws OdimConfigException naming {@code DATABASE_URL} when embedded PostgreSQL is unavailable
   */
  public static EmbeddedDatabase start(Path dataDirectory) {
    throw new OdimConfigException(
        "DATABASE_URL",
        "embedded PostgreSQL is not available in this build; set DATABASE_URL (data directory would"
            + " have been "
            + dataDirectory
            + ")");
  }

  /** The JDBC URL of the {@code postgres} database, with the user in its query. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** Stops PostgreSQL (a fast shutdown: connections are closed, data is kept). */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop embedded PostgreSQL", e);
    }
  }
}
