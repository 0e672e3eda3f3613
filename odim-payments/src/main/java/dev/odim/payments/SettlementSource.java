package dev.odim.payments;

import java.util.Locale;

/** Which path learned of a payment's outcome; recorded with every transition. */
public enum SettlementSource {
  /** Our own API (creating the intent). */
  API,
  /** The provider's webhook. */
  WEBHOOK,
  /** The payer came back and the server asked the provider. */
  VERIFY,
  /** The reconciliation run matched the provider's records against ours. */
  RECONCILIATION,
  /** A person, through the admin routes. */
  ADMIN;

  /** The stored name, e.g. {@code webhook}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
