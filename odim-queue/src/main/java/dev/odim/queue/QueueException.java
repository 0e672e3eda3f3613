package dev.odim.queue;

import dev.odim.core.OdimException;

/**
 * The root of the queue's exceptions: a broken configuration, an unreachable backend, or a use of
 * the API that cannot work (such as a transactional enqueue on a backend without transactions).
 * Expected outcomes (a duplicate enqueue, a failed handler) are values, not exceptions.
 */
public class QueueException extends OdimException {
  private static final long serialVersionUID = 1L;

  public QueueException(String message) {
    super(message);
  }

  public QueueException(String message, Throwable cause) {
    super(message, cause);
  }
}
