package dev.odim.payments.paystack;

import dev.odim.core.Money;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Money back to a payer ({@code POST /refund}). Paystack takes no reference of ours for a refund,
 * so this call is never repeated by the client: an attempt without a clear answer ends in {@link
 * PaystackResult.Reason#OUTCOME_UNKNOWN}.
 *
 * @param transactionReference the paid transaction's reference
 * @param amount how much, or null for all that is not refunded yet
 * @param customerNote shown to the payer, or null
 * @param merchantNote for our records, or null
 */
public record RefundRequest(
    String transactionReference,
    @Nullable Money amount,
    @Nullable String customerNote,
    @Nullable String merchantNote) {

  public RefundRequest {
    Objects.requireNonNull(transactionReference, "transactionReference");
    if (amount != null && !amount.isPositive()) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
  }

  /** A refund of everything not refunded yet. */
  public static RefundRequest full(String transactionReference) {
    return new RefundRequest(transactionReference, null, null, null);
  }
}
