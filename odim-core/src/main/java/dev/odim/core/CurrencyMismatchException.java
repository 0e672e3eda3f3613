package dev.odim.core;

import java.io.Serial;
import java.util.Currency;

/** Two amounts in different currencies were added, subtracted or compared. */
public class CurrencyMismatchException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final Currency expected;
  private final Currency actual;

  public CurrencyMismatchException(Currency expected, Currency actual) {
    super(
        "currency mismatch: "
            + expected.getCurrencyCode()
            + " and "
            + actual.getCurrencyCode()
            + " cannot be combined");
    this.expected = expected;
    this.actual = actual;
  }

  /** The currency of the amount the operation was called on. */
  public Currency expected() {
    return expected;
  }

  /** The currency of the other amount. */
  public Currency actual() {
    return actual;
  }
}
