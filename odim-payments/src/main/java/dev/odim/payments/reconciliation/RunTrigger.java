package dev.odim.payments.reconciliation;

import java.util.Locale;

/** What started a run. */
public enum RunTrigger {
  /** The hourly schedule. */
  SCHEDULE,
  /** A person or the host, on demand. */
  MANUAL;

  /** The stored name, e.g. {@code schedule}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The trigger stored as {@code name}. */
  public static RunTrigger fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
