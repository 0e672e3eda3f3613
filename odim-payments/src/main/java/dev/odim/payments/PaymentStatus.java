package dev.odim.payments;

import java.util.Locale;

/**
 * Where a payment intent stands. The database allows only these moves: created → pending; created
 * or pending → succeeded, failed or abandoned; failed or abandoned → succeeded (money that arrived
 * late is settled, never refused); succeeded → refunded, partially refunded or disputed; partially
 * refunded → refunded or disputed; disputed → succeeded, partially refunded or refunded (a dispute
 * won: back to where the payment's refunds left it).
 */
public enum PaymentStatus {
  CREATED,
  PENDING,
  SUCCEEDED,
  FAILED,
  ABANDONED,
  REFUNDED,
  PARTIALLY_REFUNDED,
  DISPUTED;

  /** The stored and wire name, e.g. {@code partially_refunded}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static PaymentStatus fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** Whether the money arrived (and was settled), whatever happened to it afterwards. */
  public boolean settled() {
    return this == SUCCEEDED || this == REFUNDED || this == PARTIALLY_REFUNDED || this == DISPUTED;
  }
}
