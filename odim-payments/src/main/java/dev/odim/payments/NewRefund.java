package dev.odim.payments;

import dev.odim.core.Money;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A request to give a payer money back.
 *
 * @param reference the caller's id of this refund, 1 to 100 letters, digits, {@code . _ = -}; the
 *     same reference is never refunded twice
 * @param paymentReference the settled payment to refund
 * @param amount how much, or null for all that is not refunded yet
 */
public record NewRefund(String reference, String paymentReference, @Nullable Money amount) {
  private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9._=-]{1,100}");

  public NewRefund {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(paymentReference, "paymentReference");
    if (!REFERENCE.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "a refund reference holds 1 to 100 letters, digits, . _ = and -, was " + reference);
    }
    if (amount != null && !amount.isPositive()) {
      throw new IllegalArgumentException("a refund amount must be positive, was " + amount);
    }
  }

  /** A refund of all that is not refunded yet. */
  public static NewRefund full(String reference, String paymentReference) {
    return new NewRefund(reference, paymentReference, null);
  }
}
