package dev.odim.core;

import java.io.Serial;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An amount of money in the currency's minor unit (kobo for NGN, cents for USD), never a floating
 * point number. Arithmetic is exact: a result that does not fit in a {@code long} throws {@link
 * MoneyOverflowException} instead of wrapping, and combining two currencies throws {@link
 * CurrencyMismatchException}.
 *
 * <p>Paystack amounts are already in minor units, so they go straight into {@link #of(long,
 * String)}. {@link #toString()} and {@link #parse(String)} use major units ({@code "NGN 1234.50"})
 * with exactly the currency's default number of fraction digits.
 *
 * @param minor the amount in the currency's minor unit; may be negative
 * @param currency an ISO 4217 currency with a defined number of fraction digits
 */
public record Money(long minor, Currency currency) implements Comparable<Money>, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private static final Pattern TEXT = Pattern.compile("([A-Z]{3}) (-?[0-9]+(?:\\.[0-9]+)?)");

  /**
   * Checks that the currency has a defined number of fraction digits; pseudo-currencies such as XAU
   * or XXX have none and cannot be expressed in minor units.
   */
  public Money {
    Objects.requireNonNull(currency, "currency");
    if (currency.getDefaultFractionDigits() < 0) {
      throw new IllegalArgumentException(
          "currency " + currency.getCurrencyCode() + " has no minor unit");
    }
  }

  /** An amount in minor units of the currency with this ISO 4217 code, e.g. {@code "NGN"}. */
  public static Money of(long minor, String currencyCode) {
    return new Money(minor, Currency.getInstance(currencyCode));
  }

  /** An amount in minor units of {@code currency}. */
  public static Money of(long minor, Currency currency) {
    return new Money(minor, currency);
  }

  /** Zero in {@code currency}. */
  public static Money zero(Currency currency) {
    return new Money(0, currency);
  }

  /**
   * Reads the form {@link #toString()} writes: an ISO 4217 code, one space, and an amount in major
   * units, e.g. {@code "NGN 1234.50"}, {@code "JPY 500"}, {@code "USD -0.07"}.
   *
   * @throws MoneyFormatException if the text has another shape, names an unknown currency, has more
   *     precision than the currency's minor unit, or does not fit in a {@code long}
   */
  public static Money parse(String text) {
    var matcher = TEXT.matcher(text);
    if (!matcher.matches()) {
      throw new MoneyFormatException(
          text, "expected a currency code and an amount, e.g. NGN 12.50");
    }
    Currency currency;
    try {
      currency = Currency.getInstance(matcher.group(1));
    } catch (IllegalArgumentException e) {
      throw new MoneyFormatException(text, "unknown currency " + matcher.group(1));
    }
    int digits = currency.getDefaultFractionDigits();
    if (digits < 0) {
      throw new MoneyFormatException(text, "currency " + matcher.group(1) + " has no minor unit");
    }
    var major = new BigDecimal(matcher.group(2));
    long minor;
    try {
      minor = major.movePointRight(digits).longValueExact();
    } catch (ArithmeticException e) {
      throw new MoneyFormatException(
          text,
          "amount must fit in a long with at most "
              + digits
              + " fraction digits for "
              + currency.getCurrencyCode());
    }
    return new Money(minor, currency);
  }

  /** {@code this + other}. */
  public Money plus(Money other) {
    requireSameCurrency(other);
    try {
      return new Money(Math.addExact(minor, other.minor), currency);
    } catch (ArithmeticException e) {
      throw new MoneyOverflowException("plus", this, other.minor);
    }
  }

  /** {@code this - other}. */
  public Money minus(Money other) {
    requireSameCurrency(other);
    try {
      return new Money(Math.subtractExact(minor, other.minor), currency);
    } catch (ArithmeticException e) {
      throw new MoneyOverflowException("minus", this, other.minor);
    }
  }

  /** {@code -this}; throws for {@link Long#MIN_VALUE}, which has no positive counterpart. */
  public Money negate() {
    try {
      return new Money(Math.negateExact(minor), currency);
    } catch (ArithmeticException e) {
      throw new MoneyOverflowException("negate", this, -1);
    }
  }

  /** {@code this * factor}, e.g. a tier price times a number of months. */
  public Money times(long factor) {
    try {
      return new Money(Math.multiplyExact(minor, factor), currency);
    } catch (ArithmeticException e) {
      throw new MoneyOverflowException("times", this, factor);
    }
  }

  public boolean isNegative() {
    return minor < 0;
  }

  public boolean isZero() {
    return minor == 0;
  }

  public boolean isPositive() {
    return minor > 0;
  }

  /**
   * Orders amounts of the same currency by value.
   *
   * @throws CurrencyMismatchException if the currencies differ: there is no exchange rate here
   */
  @Override
  public int compareTo(Money other) {
    requireSameCurrency(other);
    return Long.compare(minor, other.minor);
  }

  /** {@code this > other}; throws {@link CurrencyMismatchException} across currencies. */
  public boolean isGreaterThan(Money other) {
    return compareTo(other) > 0;
  }

  /** {@code this < other}; throws {@link CurrencyMismatchException} across currencies. */
  public boolean isLessThan(Money other) {
    return compareTo(other) < 0;
  }

  /**
   * Splits this amount into parts proportional to {@code ratios} that add up to exactly this
   * amount, e.g. a fee split {@code allocate(90, 10)}. Each part is the exact share rounded down,
   * and the units left over go one each to the parts with the largest remainders (the earlier part
   * on a tie), so every part is within one minor unit of its exact share and the result is the same
   * on every run.
   *
   * @param ratios one non-negative weight per part, at least one of them positive
   * @return one part per ratio, in the order of the ratios
   * @throws IllegalArgumentException if there are no ratios, one is negative, or all are zero
   */
  public List<Money> allocate(long... ratios) {
    if (ratios.length == 0) {
      throw new IllegalArgumentException("allocate needs at least one ratio");
    }
    var total = BigInteger.ZERO;
    for (long ratio : ratios) {
      if (ratio < 0) {
        throw new IllegalArgumentException(
            "ratios must not be negative: " + Arrays.toString(ratios));
      }
      total = total.add(BigInteger.valueOf(ratio));
    }
    if (total.signum() == 0) {
      throw new IllegalArgumentException("at least one ratio must be positive");
    }
    // BigInteger because minor * ratio can exceed a long even when every share fits in one.
    var whole = BigInteger.valueOf(minor);
    long[] parts = new long[ratios.length];
    BigInteger[] remainders = new BigInteger[ratios.length];
    long allocated = 0;
    for (int i = 0; i < ratios.length; i++) {
      // floor division, so that for negative amounts the parts also start at or below their share
      BigInteger[] qr = floorDivMod(whole.multiply(BigInteger.valueOf(ratios[i])), total);
      parts[i] = qr[0].longValueExact();
      remainders[i] = qr[1];
      allocated += parts[i];
    }
    // The floor shares fall short of the whole by less than the number of parts.
    long leftover = minor - allocated;
    var order = new ArrayList<Integer>(ratios.length);
    for (int i = 0; i < ratios.length; i++) {
      order.add(i);
    }
    order.sort(
        Comparator.<Integer, BigInteger>comparing(i -> remainders[i])
            .reversed()
            .thenComparing(Comparator.naturalOrder()));
    for (int k = 0; k < leftover; k++) {
      parts[order.get(k)]++;
    }
    var result = new ArrayList<Money>(ratios.length);
    for (long part : parts) {
      result.add(new Money(part, currency));
    }
    return Collections.unmodifiableList(result);
  }

  private static BigInteger[] floorDivMod(BigInteger dividend, BigInteger divisor) {
    BigInteger[] qr = dividend.divideAndRemainder(divisor);
    if (qr[1].signum() < 0) {
      qr[0] = qr[0].subtract(BigInteger.ONE);
      qr[1] = qr[1].add(divisor);
    }
    return qr;
  }

  private void requireSameCurrency(Money other) {
    if (!currency.equals(other.currency)) {
      throw new CurrencyMismatchException(currency, other.currency);
    }
  }

  /** Major units with the currency's fraction digits, e.g. {@code "NGN 1234.50"}. */
  @Override
  public String toString() {
    return currency.getCurrencyCode()
        + " "
        + BigDecimal.valueOf(minor, currency.getDefaultFractionDigits()).toPlainString();
  }
}
