package dev.odim.core.audit;

import java.util.Objects;

/**
 * Masks personal data before it goes into an audit summary or detail: enough stays to tell records
 * apart and to recognise your own ({@code a**@e******.com}, {@code ************4242}), not enough
 * to read the value.
 *
 * <p>Every method keeps the length of what it masks in stars, works on Unicode code points (a
 * masked name never ends in half a character) and returns all stars when the value is too short to
 * show anything safely.
 */
public final class Mask {
  private static final char STAR = '*';

  private Mask() {}

  /**
   * {@code ada@example.com} → {@code a**@e******.com}: the first character of the mailbox and of
   * the domain, and the top-level domain. Text without an {@code @} is masked whole.
   */
  public static String email(String email) {
    Objects.requireNonNull(email, "email");
    int at = email.lastIndexOf('@');
    if (at < 0) {
      return stars(email);
    }
    String mailbox = email.substring(0, at);
    String domain = email.substring(at + 1);
    int dot = domain.lastIndexOf('.');
    String maskedDomain =
        dot <= 0
            ? keepFirst(domain, 1)
            : keepFirst(domain.substring(0, dot), 1) + domain.substring(dot);
    return keepFirst(mailbox, 1) + "@" + maskedDomain;
  }

  /**
   * {@code +234 801 234 5678} → {@code +*** *** *** 5678}: every digit but the last four becomes a
   * star; a leading {@code +}, spaces and dashes stay so the shape is recognisable. A number with
   * four digits or fewer is masked whole.
   */
  public static String phone(String phone) {
    Objects.requireNonNull(phone, "phone");
    long digits = phone.chars().filter(Character::isDigit).count();
    long keep = digits > 4 ? 4 : 0;
    StringBuilder out = new StringBuilder(phone.length());
    long seen = 0;
    for (int i = 0; i < phone.length(); i++) {
      char c = phone.charAt(i);
      if (Character.isDigit(c)) {
        seen++;
        out.append(seen > digits - keep ? c : STAR);
      } else if (c == '+' || c == ' ' || c == '-' || c == '(' || c == ')') {
        out.append(c);
      } else {
        out.append(STAR);
      }
    }
    return out.toString();
  }

  /** {@code Ada Lovelace} → {@code A** L*******}: the first letter of each word. */
  public static String name(String name) {
    Objects.requireNonNull(name, "name");
    StringBuilder out = new StringBuilder(name.length());
    boolean wordStart = true;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (Character.isWhitespace(cp) || cp == '-') {
        out.appendCodePoint(cp);
        wordStart = true;
      } else if (wordStart) {
        out.appendCodePoint(cp);
        wordStart = false;
      } else {
        out.append(STAR);
      }
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /**
   * {@code 4242 4242 4242 4242} → {@code ************4242}: the last four digits, as card receipts
   * show them; separators are dropped.
   */
  public static String card(String cardNumber) {
    Objects.requireNonNull(cardNumber, "cardNumber");
    StringBuilder digits = new StringBuilder(cardNumber.length());
    cardNumber.chars().filter(Character::isDigit).forEach(c -> digits.append((char) c));
    return keepLast(digits.toString(), 4);
  }

  /**
   * Stars for everything but the last {@code keep} characters; all stars when {@code value} has no
   * more than {@code keep} characters, since keeping them would show it all.
   */
  public static String keepLast(String value, int keep) {
    Objects.requireNonNull(value, "value");
    if (keep < 0) {
      throw new IllegalArgumentException("keep must not be negative, was " + keep);
    }
    int length = value.codePointCount(0, value.length());
    if (length <= keep) {
      return stars(value);
    }
    int tailStart = value.offsetByCodePoints(0, length - keep);
    return String.valueOf(STAR).repeat(length - keep) + value.substring(tailStart);
  }

  /** Stars for every character: the length shows, nothing else. */
  public static String all(String value) {
    Objects.requireNonNull(value, "value");
    return stars(value);
  }

  /** The first {@code keep} code points and stars for the rest; all stars when that is all. */
  private static String keepFirst(String value, int keep) {
    int length = value.codePointCount(0, value.length());
    if (length <= keep) {
      return stars(value);
    }
    int headEnd = value.offsetByCodePoints(0, keep);
    return value.substring(0, headEnd) + String.valueOf(STAR).repeat(length - keep);
  }

  private static String stars(String value) {
    return String.valueOf(STAR).repeat(value.codePointCount(0, value.length()));
  }
}
