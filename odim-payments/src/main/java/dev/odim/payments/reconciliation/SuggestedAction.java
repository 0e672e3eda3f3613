package dev.odim.payments.reconciliation;

import java.util.Locale;

/** What a person should probably do about a discrepancy. */
public enum SuggestedAction {
  /**
   * The provider was paid the right amount: settle the payment ({@link Resolution.Action#SETTLE}).
   */
  SETTLE,
  /** Money was taken that should not have been: give it back. */
  REFUND,
  /** The records disagree in a way no automatic step can judge: look at both sides. */
  INVESTIGATE;

  /** The stored name, e.g. {@code refund}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The action stored as {@code name}. */
  public static SuggestedAction fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
