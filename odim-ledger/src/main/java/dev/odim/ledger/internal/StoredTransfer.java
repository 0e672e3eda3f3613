package dev.odim.ledger.internal;

import dev.odim.ledger.Balancing;
import dev.odim.ledger.TransferKind;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transfer row, loaded from the table or created by the batch being applied; the two fields a
 * later transfer can change (a pending's state, the amount reversed) are mutable.
 */
final class StoredTransfer {
  final UUID id;
  final TransferKind kind;
  final UUID debitAccountId;
  final UUID creditAccountId;
  final long amount;
  final long requestedAmount;
  final String currency;
  final int code;
  final @Nullable UUID pendingId;
  final @Nullable UUID reversesId;
  final @Nullable Long timeoutMs;
  final @Nullable Instant timeoutAt;
  @Nullable String pendingState;
  long reversedAmount;
  final boolean linked;
  final Balancing balancing;
  final String metadata;
  final Instant createdAt;

  /** The versions of the postings this transfer made on its two accounts (0 when loaded). */
  long debitVersion;

  long creditVersion;

  /** True for rows of this batch (inserted at the end), false for rows loaded from the table. */
  final boolean isNew;

  private final @Nullable String loadedPendingState;
  private final long loadedReversedAmount;

  StoredTransfer(
      UUID id,
      TransferKind kind,
      UUID debitAccountId,
      UUID creditAccountId,
      long amount,
      long requestedAmount,
      String currency,
      int code,
      @Nullable UUID pendingId,
      @Nullable UUID reversesId,
      @Nullable Long timeoutMs,
      @Nullable Instant timeoutAt,
      @Nullable String pendingState,
      long reversedAmount,
      boolean linked,
      Balancing balancing,
      String metadata,
      Instant createdAt,
      boolean isNew) {
    this.id = id;
    this.kind = kind;
    this.debitAccountId = debitAccountId;
    this.creditAccountId = creditAccountId;
    this.amount = amount;
    this.requestedAmount = requestedAmount;
    this.currency = currency;
    this.code = code;
    this.pendingId = pendingId;
    this.reversesId = reversesId;
    this.timeoutMs = timeoutMs;
    this.timeoutAt = timeoutAt;
    this.pendingState = pendingState;
    this.reversedAmount = reversedAmount;
    this.linked = linked;
    this.balancing = balancing;
    this.metadata = metadata;
    this.createdAt = createdAt;
    this.isNew = isNew;
    this.loadedPendingState = pendingState;
    this.loadedReversedAmount = reversedAmount;
  }

  /** Whether a loaded row was changed by the batch and needs an UPDATE. */
  boolean changedSinceLoad() {
    return !isNew
        && (!java.util.Objects.equals(pendingState, loadedPendingState)
            || reversedAmount != loadedReversedAmount);
  }

  static String kindName(TransferKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  static TransferKind kindOf(String name) {
    return TransferKind.valueOf(name.toUpperCase(Locale.ROOT));
  }

  static String balancingName(Balancing balancing) {
    return balancing.name().toLowerCase(Locale.ROOT);
  }

  static Balancing balancingOf(String name) {
    return Balancing.valueOf(name.toUpperCase(Locale.ROOT));
  }
}
