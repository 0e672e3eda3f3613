package dev.odim.payments;

import dev.odim.core.Money;
import java.time.Instant;

/**
 * A stored dispute (chargeback) of a settled payment.
 *
 * @param id Paystack's dispute id
 * @param paymentReference the disputed payment
 * @param amount the disputed amount
 * @param held what of it the creator's available balance covered and is held; the rest, if the
 *     dispute is lost, is the platform's loss
 * @param status where it stands
 * @param createdAt when it was opened
 * @param updatedAt when it last changed
 */
public record Dispute(
    String id,
    String paymentReference,
    Money amount,
    Money held,
    DisputeStatus status,
    Instant createdAt,
    Instant updatedAt) {}
