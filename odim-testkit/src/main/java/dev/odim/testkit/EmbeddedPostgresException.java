package dev.odim.testkit;

/** Embedded PostgreSQL could not be prepared, started or stopped; the message says why. */
public class EmbeddedPostgresException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EmbeddedPostgresException(String message) {
    super(message);
  }

  public EmbeddedPostgresException(String message, Throwable cause) {
    super(message, cause);
  }
}
