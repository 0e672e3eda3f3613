package dev.odim.ledger.internal;

import dev.odim.core.OdimException;
import java.sql.SQLException;

/**
 * A ledger write failed in the database for a reason validation did not foresee. Carries the {@link
 * SQLException} as its cause, so that {@code Db.inTransaction} still sees (and retries) a
 * serialization failure or deadlock inside it.
 */
final class LedgerWriteException extends OdimException {
  private static final long serialVersionUID = 1L;

  LedgerWriteException(SQLException cause) {
    super("ledger write failed: " + cause.getMessage(), cause);
  }
}
