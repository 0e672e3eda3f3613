package dev.odim.payments;

import dev.odim.core.Money;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A stored payment intent.
 *
 * @param reference the provider reference
 * @param payer who pays
 * @param creatorAccount the ledger account credited with {@code amount - fee}
 * @param amount what the payer pays
 * @param fee the platform's share, fixed when the intent was created
 * @param purpose what it buys
 * @param purposeId which one
 * @param status where it stands
 * @param providerId the provider's id of the transaction, once known
 * @param version moves by one with every change
 * @param createdAt when it was created
 * @param settledAt when it was settled, or null
 */
public record PaymentIntent(
    String reference,
    String payer,
    UUID creatorAccount,
    Money amount,
    Money fee,
    String purpose,
    String purposeId,
    PaymentStatus status,
    @Nullable String providerId,
    int version,
    Instant createdAt,
    @Nullable Instant settledAt) {

  /** What the creator receives. */
  public Money creatorShare() {
    return amount.minus(fee);
  }
}
