package dev.odim.core;

/**
 * The root of every exception Odim throws. Unchecked: expected domain outcomes are result values,
 * so an {@code OdimException} means a bug, a broken configuration or broken infrastructure.
 * Subclasses carry the context needed to act on them.
 */
public class OdimException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OdimException(String message) {
    super(message);
  }

  public OdimException(String message, Throwable cause) {
    super(message, cause);
  }
}
