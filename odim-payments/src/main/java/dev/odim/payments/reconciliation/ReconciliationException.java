package dev.odim.payments.reconciliation;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * A reconciliation run that could not finish (the provider unreachable, the database down, its
 * lease taken over): thrown by the scheduled job's handler so that the queue retries it, and the
 * next attempt resumes the run.
 */
public final class ReconciliationException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  public ReconciliationException(String message) {
    super(message);
  }
}
