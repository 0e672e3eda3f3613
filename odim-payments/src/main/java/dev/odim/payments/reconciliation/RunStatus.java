package dev.odim.payments.reconciliation;

import java.util.Locale;

/** Where a run stands. */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  /** It stopped with an error; a later attempt (the job's retry) resumes it. */
  FAILED;

  /** The stored name, e.g. {@code succeeded}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status stored as {@code name}. */
  public static RunStatus fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
