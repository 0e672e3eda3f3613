package dev.odim.webhooks;

import java.util.Locale;

/** Where a stored event is in its life. */
public enum InboxStatus {
  /** Stored and waiting for, or in, processing. */
  RECEIVED,
  /** A handler committed its work. */
  PROCESSED,
  /** No handler is registered for its type; replay it once one is. */
  IGNORED,
  /** Processing gave up; the queue's dead letter (same id) holds the attempts. Replayable. */
  DEAD;

  /** The name stored in the database. */
  public String dbName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status stored under {@code name}. */
  public static InboxStatus fromDb(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
