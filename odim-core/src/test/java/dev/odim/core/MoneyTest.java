package dev.odim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MoneyTest {
  private static final Currency NGN = Currency.getInstance("NGN");
  private static final Currency USD = Currency.getInstance("USD");

  @Provide
  Arbitrary<Long> anyMinor() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs().between(Long.MAX_VALUE - 1_000, Long.MAX_VALUE),
        Arbitraries.longs().between(Long.MIN_VALUE, Long.MIN_VALUE + 1_000),
        Arbitraries.longs().between(-1_000_000, 1_000_000));
  }

  private static boolean fitsInLong(BigInteger value) {
    return value.bitLength() < 64;
  }

  @Property
  void plusIsExactOrThrows(@ForAll("anyMinor") long a, @ForAll("anyMinor") long b) {
    var exact = BigInteger.valueOf(a).add(BigInteger.valueOf(b));
    if (fitsInLong(exact)) {
      assertThat(Money.of(a, NGN).plus(Money.of(b, NGN)).minor()).isEqualTo(exact.longValueExact());
    } else {
      assertThatThrownBy(() -> Money.of(a, NGN).plus(Money.of(b, NGN)))
          .isInstanceOf(MoneyOverflowException.class)
          .satisfies(
              e -> {
                var overflow = (MoneyOverflowException) e;
                assertThat(overflow.operation()).isEqualTo("plus");
                assertThat(overflow.amount()).isEqualTo(Money.of(a, NGN));
                assertThat(overflow.operand()).isEqualTo(b);
              });
    }
  }

  @Property
  void minusIsExactOrThrows(@ForAll("anyMinor") long a, @ForAll("anyMinor") long b) {
    var exact = BigInteger.valueOf(a).subtract(BigInteger.valueOf(b));
    if (fitsInLong(exact)) {
      assertThat(Money.of(a, NGN).minus(Money.of(b, NGN)).minor())
          .isEqualTo(exact.longValueExact());
    } else {
      assertThatThrownBy(() -> Money.of(a, NGN).minus(Money.of(b, NGN)))
          .isInstanceOf(MoneyOverflowException.class);
    }
  }

  @Property
  void timesIsExactOrThrows(@ForAll("anyMinor") long a, @ForAll("anyMinor") long factor) {
    var exact = BigInteger.valueOf(a).multiply(BigInteger.valueOf(factor));
    if (fitsInLong(exact)) {
      assertThat(Money.of(a, NGN).times(factor).minor()).isEqualTo(exact.longValueExact());
    } else {
      assertThatThrownBy(() -> Money.of(a, NGN).times(factor))
          .isInstanceOf(MoneyOverflowException.class);
    }
  }

  @Property
  void minusUndoesPlus(@ForAll("anyMinor") long a, @ForAll("anyMinor") long b) {
    Assume.that(fitsInLong(BigInteger.valueOf(a).add(BigInteger.valueOf(b))));
    var x = Money.of(a, NGN);
    var y = Money.of(b, NGN);
    assertThat(x.plus(y).minus(y)).isEqualTo(x);
  }

  @Property
  void plusIsCommutative(@ForAll("anyMinor") long a, @ForAll("anyMinor") long b) {
    Assume.that(fitsInLong(BigInteger.valueOf(a).add(BigInteger.valueOf(b))));
    assertThat(Money.of(a, NGN).plus(Money.of(b, NGN)))
        .isEqualTo(Money.of(b, NGN).plus(Money.of(a, NGN)));
  }

  @Property
  void plusIsAssociativeWithinRange(
      @ForAll @LongRange(min = Long.MIN_VALUE / 3, max = Long.MAX_VALUE / 3) long a,
      @ForAll @LongRange(min = Long.MIN_VALUE / 3, max = Long.MAX_VALUE / 3) long b,
      @ForAll @LongRange(min = Long.MIN_VALUE / 3, max = Long.MAX_VALUE / 3) long c) {
    var x = Money.of(a, NGN);
    var y = Money.of(b, NGN);
    var z = Money.of(c, NGN);
    assertThat(x.plus(y).plus(z)).isEqualTo(x.plus(y.plus(z)));
  }

  @Property
  void currenciesNeverMix(@ForAll("anyMinor") long a, @ForAll("anyMinor") long b) {
    var naira = Money.of(a, NGN);
    var dollars = Money.of(b, USD);
    assertThatThrownBy(() -> naira.plus(dollars)).isInstanceOf(CurrencyMismatchException.class);
    assertThatThrownBy(() -> naira.minus(dollars)).isInstanceOf(CurrencyMismatchException.class);
    assertThatThrownBy(() -> naira.compareTo(dollars))
        .isInstanceOfSatisfying(
            CurrencyMismatchException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(NGN);
              assertThat(e.actual()).isEqualTo(USD);
            });
  }

  @Property
  void allocatedPartsSumToTheWholeAndStayWithinOneUnitOfTheirShare(
      @ForAll("anyMinor") long amount,
      @ForAll @Size(min = 1, max = 12) List<@LongRange(min = 0, max = 1_000_000) Long> ratios) {
    long[] weights = ratios.stream().mapToLong(Long::longValue).toArray();
    var total = BigInteger.valueOf(ratios.stream().mapToLong(Long::longValue).sum());
    Assume.that(total.signum() > 0);

    var parts = Money.of(amount, NGN).allocate(weights);

    assertThat(parts).hasSize(weights.length);
    var sum = parts.stream().map(p -> BigInteger.valueOf(p.minor())).reduce(BigInteger::add);
    assertThat(sum).contains(BigInteger.valueOf(amount));
    for (int i = 0; i < weights.length; i++) {
      // |part * total - amount * ratio| < total, i.e. the part is within one unit of its share
      var scaledPart = BigInteger.valueOf(parts.get(i).minor()).multiply(total);
      var scaledShare = BigInteger.valueOf(amount).multiply(BigInteger.valueOf(weights[i]));
      assertThat(scaledPart.subtract(scaledShare).abs()).isLessThan(total);
      assertThat(parts.get(i).currency()).isEqualTo(NGN);
    }
    assertThat(Money.of(amount, NGN).allocate(weights)).isEqualTo(parts);
  }

  @Property
  void equalRatiosGivePartsThatDifferByAtMostOneUnit(
      @ForAll("anyMinor") long amount, @ForAll @IntRange(min = 1, max = 50) int count) {
    long[] weights = new long[count];
    java.util.Arrays.fill(weights, 1);
    var parts = Money.of(amount, NGN).allocate(weights);
    long max = parts.stream().mapToLong(Money::minor).max().orElseThrow();
    long min = parts.stream().mapToLong(Money::minor).min().orElseThrow();
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  @Property
  void toStringAndParseRoundTrip(@ForAll("anyMinor") long amount) {
    for (var code : List.of("NGN", "JPY", "KWD")) {
      var money = Money.of(amount, code);
      assertThat(Money.parse(money.toString())).isEqualTo(money);
    }
  }

  @Test
  void allocateGivesLeftoverUnitsToTheLargestRemainders() {
    assertThat(Money.of(100, "NGN").allocate(1, 1, 1))
        .containsExactly(Money.of(34, "NGN"), Money.of(33, "NGN"), Money.of(33, "NGN"));
    assertThat(Money.of(5, "NGN").allocate(3, 7))
        .containsExactly(Money.of(2, "NGN"), Money.of(3, "NGN"));
    assertThat(Money.of(-100, "NGN").allocate(1, 1, 1))
        .containsExactly(Money.of(-33, "NGN"), Money.of(-33, "NGN"), Money.of(-34, "NGN"));
    assertThat(Money.of(10_000, "NGN").allocate(9_850, 150, 0))
        .containsExactly(Money.of(9_850, "NGN"), Money.of(150, "NGN"), Money.of(0, "NGN"));
  }

  @Test
  void allocateRejectsRatiosThatCannotSplit() {
    var amount = Money.of(100, "NGN");
    assertThatThrownBy(amount::allocate).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> amount.allocate(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> amount.allocate(1, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writesAndReadsMajorUnitsWithTheCurrencysFractionDigits() {
    assertThat(Money.of(123_450, "NGN")).hasToString("NGN 1234.50");
    assertThat(Money.of(-7, "USD")).hasToString("USD -0.07");
    assertThat(Money.of(500, "JPY")).hasToString("JPY 500");
    assertThat(Money.of(1_234, "KWD")).hasToString("KWD 1.234");
    assertThat(Money.parse("NGN 1234.50")).isEqualTo(Money.of(123_450, "NGN"));
    assertThat(Money.parse("NGN 1234.5")).isEqualTo(Money.of(123_450, "NGN"));
    assertThat(Money.parse("NGN 12")).isEqualTo(Money.of(1_200, "NGN"));
  }

  @Test
  void parseRejectsMorePrecisionThanTheCurrencyHas() {
    assertThatThrownBy(() -> Money.parse("NGN 1.234"))
        .isInstanceOf(MoneyFormatException.class)
        .hasMessageContaining("2 fraction digits");
    assertThatThrownBy(() -> Money.parse("JPY 1.5")).isInstanceOf(MoneyFormatException.class);
  }

  @Test
  void parseRejectsOtherShapes() {
    for (var text :
        List.of("", "NGN", "1234.50", "ngn 12", "NGN 1e3", "NGN  12", "QQQ 1", "NGN 1.", "XAU 1")) {
      assertThatThrownBy(() -> Money.parse(text))
          .as(text)
          .isInstanceOfSatisfying(
              MoneyFormatException.class, e -> assertThat(e.input()).isEqualTo(text));
    }
    assertThatThrownBy(() -> Money.parse("NGN 92233720368547758.08"))
        .isInstanceOf(MoneyFormatException.class);
  }

  @Test
  void negatingTheSmallestAmountThrows() {
    assertThat(Money.of(5, "NGN").negate()).isEqualTo(Money.of(-5, "NGN"));
    assertThatThrownBy(() -> Money.of(Long.MIN_VALUE, "NGN").negate())
        .isInstanceOf(MoneyOverflowException.class);
  }

  @Test
  void signsAndComparisons() {
    assertThat(Money.zero(NGN).isZero()).isTrue();
    assertThat(Money.of(-1, NGN).isNegative()).isTrue();
    assertThat(Money.of(1, NGN).isPositive()).isTrue();
    assertThat(Money.of(2, NGN).isGreaterThan(Money.of(1, NGN))).isTrue();
    assertThat(Money.of(1, NGN).isLessThan(Money.of(2, NGN))).isTrue();
    assertThat(Money.of(1, NGN)).isEqualByComparingTo(Money.of(1, NGN));
  }

  @Test
  void pseudoCurrenciesWithoutMinorUnitsAreRejected() {
    assertThatThrownBy(() -> Money.of(1, "XAU")).isInstanceOf(IllegalArgumentException.class);
  }
}
