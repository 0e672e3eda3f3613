package dev.odim.payments.paystack;

import dev.odim.core.Money;
import java.util.Objects;

/**
 * A refund.
 *
 * @param id Paystack's id
 * @param transactionReference the refunded transaction's reference
 * @param amount the amount refunded, in minor units
 * @param status {@code pending} when created, then {@code processed} or {@code failed} (by webhook)
 */
public record Refund(long id, String transactionReference, Money amount, String status) {
  public Refund {
    Objects.requireNonNull(transactionReference, "transactionReference");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(status, "status");
  }
}
