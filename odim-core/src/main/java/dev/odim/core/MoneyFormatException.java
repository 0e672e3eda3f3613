package dev.odim.core;

import java.io.Serial;

/** Text given to {@link Money#parse(String)} is not an amount; the message says what it expects. */
public class MoneyFormatException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final String input;

  public MoneyFormatException(String input, String message) {
    super("cannot read \"" + input + "\" as money: " + message);
    this.input = input;
  }

  /** The text that could not be read. */
  public String input() {
    return input;
  }
}
