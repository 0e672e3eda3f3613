package dev.odim.payments;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * A settlement that cannot be made because the setup is wrong (a creator account the ledger does
 * not know, in another currency): nothing was written, and retrying will not help until the setup
 * is fixed. Money that arrived is never dropped: the caller's job fails and waits for replay.
 */
public final class PaymentsException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final String reference;

  public PaymentsException(String reference, String message) {
    super("payment " + reference + ": " + message);
    this.reference = reference;
  }

  /** The payment it is about. */
  public String reference() {
    return reference;
  }
}
