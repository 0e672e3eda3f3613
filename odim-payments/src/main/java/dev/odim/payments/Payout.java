package dev.odim.payments;

import dev.odim.core.Money;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A stored payout.
 *
 * @param reference our reference, also Paystack's transfer reference
 * @param creatorAccount the creator's ledger account
 * @param amount how much
 * @param recipientCode the Paystack transfer recipient
 * @param reason shown to the recipient, or null
 * @param status where it stands
 * @param transferCode Paystack's transfer code, once Paystack answered
 * @param failure why it failed or was reversed, empty otherwise
 * @param version moves by one with every change of status
 * @param createdAt when it was requested
 * @param updatedAt when it last changed
 */
public record Payout(
    String reference,
    UUID creatorAccount,
    Money amount,
    String recipientCode,
    @Nullable String reason,
    PayoutStatus status,
    @Nullable String transferCode,
    String failure,
    int version,
    Instant createdAt,
    Instant updatedAt) {}
