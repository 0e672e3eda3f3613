package dev.odim.ledger;

import java.time.Instant;
import java.util.Currency;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transfer as the ledger stored it.
 *
 * @param id its id
 * @param kind what it did
 * @param debitAccountId the account debited
 * @param creditAccountId the account credited
 * @param amount what moved or was held
 * @param currency the currency
 * @param code the host's transfer type
 * @param pendingId for a post or void: the pending transfer
 * @param reversesId for a reversal: the original
 * @param pendingState for a pending transfer: {@code pending}, {@code posted}, {@code voided} or
 *     {@code expired}; null for other kinds
 * @param timeoutAt for a pending transfer with a timeout: when it expires
 * @param reversedAmount how much of this transfer was moved back by reversals
 * @param metadata its JSON metadata
 * @param timestamp when it was written
 */
public record TransferRecord(
    UUID id,
    TransferKind kind,
    UUID debitAccountId,
    UUID creditAccountId,
    long amount,
    Currency currency,
    int code,
    @Nullable UUID pendingId,
    @Nullable UUID reversesId,
    @Nullable String pendingState,
    @Nullable Instant timeoutAt,
    long reversedAmount,
    String metadata,
    Instant timestamp) {}
