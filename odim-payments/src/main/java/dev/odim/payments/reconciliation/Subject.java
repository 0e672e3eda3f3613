package dev.odim.payments.reconciliation;

import java.util.Locale;

/** What a discrepancy is about; its reference names one of these. */
public enum Subject {
  /** A payment intent; the reference is the payment's. */
  PAYMENT,
  /** A payout; the reference is the payout's (the transfer's at Paystack). */
  PAYOUT,
  /** A creator's ledger balance; the reference is the creator's account id. */
  BALANCE;

  /** The stored name, e.g. {@code payment}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The subject stored as {@code name}. */
  public static Subject fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
