package dev.odim.queue;

/**
 * Thrown by a handler for a failure that no retry can mend (a malformed payload, a refused
 * request): the job goes straight to the dead letters with this message, whatever attempts are
 * left. Every other exception is retried.
 */
public class PermanentJobFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PermanentJobFailure(String message) {
    super(message);
  }

  public PermanentJobFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
