package dev.odim.payments.reconciliation;

import java.util.Locale;

/** How a run classified a pair of records (ours and the provider's) under one reference. */
public enum Category {
  /** Both sides agree (both paid with the same amount, or neither paid). */
  MATCHED,
  /** The provider has money (or a transfer) under a reference we do not know. */
  MISSING_LOCALLY,
  /** We count it as paid (or sent), the provider has no record of it in the window. */
  MISSING_AT_PROVIDER,
  /** The two sides disagree on the outcome, e.g. pending here and paid at the provider. */
  STATUS_MISMATCH,
  /** Another amount at the provider (beyond the rules' tolerance). */
  AMOUNT_MISMATCH,
  /** Another currency at the provider. */
  CURRENCY_MISMATCH,
  /** A second paid payment of the same payer for the same purpose, soon after the first. */
  DUPLICATE,
  /** A creator's ledger balance differs from their settled payments, payouts and refunds. */
  LEDGER_DRIFT,
  /** An unpaid provider transaction under a reference we do not know: nothing to do. */
  IGNORED;

  /** The stored name, e.g. {@code status_mismatch}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The category stored as {@code name}. */
  public static Category fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
