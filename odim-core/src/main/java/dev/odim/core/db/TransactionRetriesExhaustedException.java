package dev.odim.core.db;

import dev.odim.core.OdimException;

/**
 * A transaction kept failing with a serialization failure or deadlock after every configured
 * attempt. Rare by design: it means contention far above what the retry budget was sized for.
 */
public class TransactionRetriesExhaustedException extends OdimException {
  private static final long serialVersionUID = 1L;

  private final int attempts;
  private final String sqlState;

  public TransactionRetriesExhaustedException(int attempts, String sqlState, Throwable cause) {
    super(
        "transaction failed "
            + attempts
            + " times with SQLSTATE "
            + sqlState
            + " (serialization failure or deadlock)",
        cause);
    this.attempts = attempts;
    this.sqlState = sqlState;
  }

  public int attempts() {
    return attempts;
  }

  /** {@code 40001} (serialization failure) or {@code 40P01} (deadlock). */
  public String sqlState() {
    return sqlState;
  }
}
