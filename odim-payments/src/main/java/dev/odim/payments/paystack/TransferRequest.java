package dev.odim.payments.paystack;

import dev.odim.core.Money;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A payout from the balance to a recipient ({@code POST /transfer}).
 *
 * @param amount what to pay, in minor units, in the recipient's currency
 * @param recipientCode from {@link Recipient#recipientCode()}
 * @param reason shown to the recipient, or null
 * @param reference our reference: lowercase letters, digits, {@code -} and {@code _}; a second
 *     transfer under it is refused, which makes retrying safe
 */
public record TransferRequest(
    Money amount, String recipientCode, @Nullable String reason, String reference) {

  static final Pattern REFERENCE = Pattern.compile("[a-z0-9_-]{1,100}");

  public TransferRequest {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(recipientCode, "recipientCode");
    Objects.requireNonNull(reference, "reference");
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
    if (!REFERENCE.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "reference may hold only lowercase letters, digits, - and _, was " + reference);
    }
  }
}
