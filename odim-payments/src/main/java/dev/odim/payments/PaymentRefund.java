package dev.odim.payments;

import dev.odim.core.Money;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A stored refund.
 *
 * @param reference our reference
 * @param paymentReference the refunded payment
 * @param amount what goes back to the payer
 * @param creatorPart what of it is taken back from the creator's share (held on their balance until
 *     the refund is processed)
 * @param feePart what of it is taken back from the platform's fee; {@code creatorPart + feePart ==
 *     amount}
 * @param status where it stands
 * @param providerRefundId Paystack's id of the refund, once known
 * @param failure why it failed, or why its outcome is unknown; empty otherwise
 * @param version moves by one with every change
 * @param createdAt when it was requested
 * @param updatedAt when it last changed
 */
public record PaymentRefund(
    String reference,
    String paymentReference,
    Money amount,
    Money creatorPart,
    Money feePart,
    RefundStatus status,
    @Nullable Long providerRefundId,
    String failure,
    int version,
    Instant createdAt,
    Instant updatedAt) {}
