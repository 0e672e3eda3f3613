package dev.odim.payments.reconciliation;

import java.util.Locale;

/**
 * Where a discrepancy stands: open until a person resolves or ignores it (a trigger enforces it).
 */
public enum DiscrepancyStatus {
  OPEN,
  RESOLVED,
  IGNORED;

  /** The stored name, e.g. {@code open}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status stored as {@code name}. */
  public static DiscrepancyStatus fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
