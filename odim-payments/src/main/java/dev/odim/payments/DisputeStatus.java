package dev.odim.payments;

import java.util.Locale;

/** Where a dispute stands; the database allows only open → won and open → lost. */
public enum DisputeStatus {
  /** The disputed amount is held on the creator's balance. */
  OPEN,
  /** The merchant won: the hold was released and the payment is back where it was. */
  WON,
  /** The merchant lost: the hold was posted to the disputes account; the payment stays disputed. */
  LOST;

  /** The stored name, e.g. {@code open}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static DisputeStatus fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
