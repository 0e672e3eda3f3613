package dev.odim.payments;

import dev.odim.core.Money;
import java.util.Objects;
import java.util.UUID;

/**
 * A payment to create: who pays which creator how much, for what.
 *
 * @param reference the provider reference, unique: 6 to 100 of {@code [A-Za-z0-9.=-]} (what
 *     Paystack accepts)
 * @param payer who pays (the host's user id, say)
 * @param creatorAccount the ledger account the creator's share is credited to
 * @param amount what the payer pays, positive, in minor units
 * @param purpose what it buys, e.g. {@code subscription} or {@code booking}
 * @param purposeId which one, e.g. the subscription's id
 */
public record NewPayment(
    String reference,
    String payer,
    UUID creatorAccount,
    Money amount,
    String purpose,
    String purposeId) {

  public NewPayment {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(payer, "payer");
    Objects.requireNonNull(creatorAccount, "creatorAccount");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(purposeId, "purposeId");
    if (!reference.matches("[A-Za-z0-9.=-]{6,100}")) {
      throw new IllegalArgumentException(
          "reference must be 6 to 100 of [A-Za-z0-9._=-], was \"" + reference + "\"");
    }
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
    if (payer.isBlank() || payer.length() > 200) {
      throw new IllegalArgumentException("payer must be 1 to 200 characters");
    }
    if (purpose.isBlank()
        || purpose.length() > 100
        || purposeId.isBlank()
        || purposeId.length() > 200) {
      throw new IllegalArgumentException("purpose and purposeId must not be blank or too long");
    }
  }
}
