package dev.odim.core.db;

import dev.odim.core.OdimException;

/** The database could not be reached or refused the connection. */
public class DbUnavailableException extends OdimException {
  private static final long serialVersionUID = 1L;

  public DbUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
