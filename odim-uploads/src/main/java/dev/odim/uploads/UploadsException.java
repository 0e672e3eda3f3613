package dev.odim.uploads;

import dev.odim.core.OdimException;

/**
 * The root of what this module throws: a store that failed, a hook that broke its contract. Bad
 * client input is never an exception; the handler answers it with a 4xx problem.
 */
public class UploadsException extends OdimException {
  private static final long serialVersionUID = 1L;

  public UploadsException(String message) {
    super(message);
  }

  public UploadsException(String message, Throwable cause) {
    super(message, cause);
  }
}
