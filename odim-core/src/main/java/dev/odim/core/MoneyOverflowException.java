package dev.odim.core;

import java.io.Serial;

/**
 * An arithmetic operation on {@link Money} produced a result outside the range of a {@code long}.
 * Odim throws rather than wrap around, because a wrapped amount would be silently wrong.
 */
public class MoneyOverflowException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final String operation;
  private final Money amount;
  private final long operand;

  public MoneyOverflowException(String operation, Money amount, long operand) {
    super(amount + " " + operation + " " + operand + " overflows a long of minor units");
    this.operation = operation;
    this.amount = amount;
    this.operand = operand;
  }

  /**
   * The operation that overflowed: {@code plus}, {@code minus}, {@code negate} or {@code times}.
   */
  public String operation() {
    return operation;
  }

  /** The amount the operation was applied to. */
  public Money amount() {
    return amount;
  }

  /** The other operand in minor units (or the factor for {@code times}; -1 for {@code negate}). */
  public long operand() {
    return operand;
  }
}
