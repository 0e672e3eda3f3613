package dev.odim.payments;

import java.util.Locale;

/**
 * Where a payout stands. The database allows only these moves: requested → sent (Paystack accepted
 * the transfer); requested or sent → paid, failed or reversed; paid → reversed.
 */
public enum PayoutStatus {
  /** The amount is held on the creator's balance; the transfer is queued to be sent. */
  REQUESTED,
  /** Paystack accepted the transfer; its outcome comes by webhook or verification. */
  SENT,
  /** Paystack paid it: the hold was posted. */
  PAID,
  /** Paystack refused or failed it: the hold was voided, the money is back on the balance. */
  FAILED,
  /** Paystack reversed it: the money is back on the creator's balance. */
  REVERSED;

  /** The stored name, e.g. {@code requested}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static PayoutStatus fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** Whether nothing more will happen to it (but a paid payout can still be reversed). */
  public boolean finished() {
    return this == FAILED || this == REVERSED;
  }
}
