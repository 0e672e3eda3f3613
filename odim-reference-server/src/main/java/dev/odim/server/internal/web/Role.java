package dev.odim.server.internal.web;

import java.util.Locale;

/** What a user is on the platform; stored and sent in lower case. */
public enum Role {
  FAN,
  CREATOR,
  ADMIN;

  /** The wire and database name, e.g. {@code creator}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role for a stored name. */
  public static Role fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
