package dev.odim.core.ratelimit;

import dev.odim.core.OdimException;

/**
 * A {@link RateLimitStore} could not reach its backend (Redis down, a command timed out). {@link
 * FallbackRateLimitStore} catches it and decides locally instead; a caller that uses a shared store
 * without the fallback gets it and must choose between refusing and allowing.
 */
public class RateLimitStoreUnavailableException extends OdimException {
  private static final long serialVersionUID = 1L;

  public RateLimitStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public RateLimitStoreUnavailableException(String message) {
    super(message);
  }
}
