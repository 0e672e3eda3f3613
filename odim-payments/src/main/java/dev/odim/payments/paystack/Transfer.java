package dev.odim.payments.paystack;

import dev.odim.core.Money;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A payout.
 *
 * @param id Paystack's id
 * @param transferCode Paystack's code, e.g. {@code TRF_...}
 * @param reference our reference
 * @param status {@code pending}, {@code success}, {@code failed}, {@code reversed}, ... as Paystack
 *     names it; the final word comes by webhook or {@link PaystackClient#verifyTransfer}
 * @param amount the amount, in minor units
 * @param recipientCode the recipient, when the answer names it by code (verify does, initiate names
 *     it only by id)
 * @param reason the reason given, or null
 */
public record Transfer(
    long id,
    String transferCode,
    String reference,
    String status,
    Money amount,
    @Nullable String recipientCode,
    @Nullable String reason) {

  public Transfer {
    Objects.requireNonNull(transferCode, "transferCode");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(amount, "amount");
  }
}
