package dev.odim.core;

/** A setting was missing or invalid; the message names the setting and what it accepts. */
public class OdimConfigException extends OdimException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  public OdimConfigException(String setting, String message) {
    super(setting + ": " + message);
    this.setting = setting;
  }

  /** The name of the offending setting, e.g. {@code DATABASE_URL} or {@code maximumPoolSize}. */
  public String setting() {
    return setting;
  }
}
