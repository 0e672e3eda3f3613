package dev.odim.payments;

import dev.odim.core.Money;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A creator's request to be paid out.
 *
 * @param reference the caller's id of this payout, also the Paystack transfer reference: lowercase
 *     letters, digits, {@code -} and {@code _}, at most 100; the same reference is never paid twice
 * @param creatorAccount the creator's ledger account the amount is taken from
 * @param amount how much, positive
 * @param recipientCode the Paystack transfer recipient ({@code RCP_...})
 * @param reason shown to the recipient, or null
 */
public record NewPayout(
    String reference,
    UUID creatorAccount,
    Money amount,
    String recipientCode,
    @Nullable String reason) {

  private static final Pattern REFERENCE = Pattern.compile("[a-z0-9_-]{1,100}");

  public NewPayout {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(creatorAccount, "creatorAccount");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(recipientCode, "recipientCode");
    if (!REFERENCE.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "a payout reference holds 1 to 100 lowercase letters, digits, - and _, was " + reference);
    }
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("a payout amount must be positive, was " + amount);
    }
    if (recipientCode.isBlank() || recipientCode.length() > 200) {
      throw new IllegalArgumentException("the recipient code must be 1 to 200 characters");
    }
    if (reason != null && reason.length() > 500) {
      throw new IllegalArgumentException("the reason must be at most 500 characters");
    }
  }
}
