package dev.odim.ledger;

import dev.odim.core.Money;
import java.time.Duration;
import java.util.Currency;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transfer to make. The id is the caller's: the same id with the same fields answers {@link
 * TransferCode#EXISTS}; with other fields, {@code EXISTS_WITH_DIFFERENT_<FIELD>} and nothing is
 * written. Build one with the factories ({@link #immediate}, {@link #pending}, {@link
 * #postPending}, {@link #voidPending}, {@link #reversal}) and refine it with the {@code with}
 * methods.
 *
 * @param id the caller-chosen id
 * @param kind what the transfer does
 * @param debitAccountId the account debited; null for post, void and reversal, which take theirs
 *     from the transfer they refer to
 * @param creditAccountId the account credited; null as above
 * @param amount minor units; for post and reversal 0 means all that remains
 * @param currency must match both accounts; null where the referred transfer decides
 * @param code the host's transfer type, 0 or more
 * @param pendingId the pending transfer a post or void resolves
 * @param reversesId the posted transfer a reversal moves back
 * @param timeout for a pending transfer, how long the hold lasts; null for no timeout
 * @param linked whether the next transfer of the same batch must succeed or fail with this one
 * @param balancing whether to move less than the amount rather than exceed a limit
 * @param metadata a JSON object, {@code "{}"} when none
 */
public record Transfer(
    UUID id,
    TransferKind kind,
    @Nullable UUID debitAccountId,
    @Nullable UUID creditAccountId,
    long amount,
    @Nullable Currency currency,
    int code,
    @Nullable UUID pendingId,
    @Nullable UUID reversesId,
    @Nullable Duration timeout,
    boolean linked,
    Balancing balancing,
    String metadata) {

  public Transfer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(balancing, "balancing");
    Objects.requireNonNull(metadata, "metadata");
  }

  /** Moves {@code amount} from {@code debit} to {@code credit} at once. */
  public static Transfer immediate(UUID id, UUID debit, UUID credit, Money amount, int code) {
    return moving(id, TransferKind.IMMEDIATE, debit, credit, amount, code, null);
  }

  /** Holds {@code amount}: pending on both accounts until posted, voided or timed out. */
  public static Transfer pending(
      UUID id, UUID debit, UUID credit, Money amount, int code, @Nullable Duration timeout) {
    return moving(id, TransferKind.PENDING, debit, credit, amount, code, timeout);
  }

  /** Posts the whole of a pending transfer. */
  public static Transfer postPending(UUID id, UUID pendingId) {
    return referring(id, TransferKind.POST_PENDING, null, pendingId, null);
  }

  /** Posts part of a pending transfer and releases the rest of the hold. */
  public static Transfer postPending(UUID id, UUID pendingId, Money amount) {
    return referring(id, TransferKind.POST_PENDING, amount, pendingId, null);
  }

  /** Releases a pending transfer's hold. */
  public static Transfer voidPending(UUID id, UUID pendingId) {
    return referring(id, TransferKind.VOID_PENDING, null, pendingId, null);
  }

  /** Moves all that remains of a posted transfer back (a full refund). */
  public static Transfer reversal(UUID id, UUID reversesId) {
    return referring(id, TransferKind.REVERSAL, null, null, reversesId);
  }

  /** Moves part of a posted transfer back (a partial refund). */
  public static Transfer reversal(UUID id, UUID reversesId, Money amount) {
    return referring(id, TransferKind.REVERSAL, amount, null, reversesId);
  }

  private static Transfer moving(
      UUID id,
      TransferKind kind,
      UUID debit,
      UUID credit,
      Money amount,
      int code,
      @Nullable Duration timeout) {
    return new Transfer(
        id,
        kind,
        debit,
        credit,
        amount.minor(),
        amount.currency(),
        code,
        null,
        null,
        timeout,
        false,
        Balancing.NONE,
        "{}");
  }

  /** A post, void or reversal: accounts and currency come from the transfer it refers to. */
  private static Transfer referring(
      UUID id,
      TransferKind kind,
      @Nullable Money amount,
      @Nullable UUID pendingId,
      @Nullable UUID reversesId) {
    return new Transfer(
        id,
        kind,
        null,
        null,
        amount == null ? 0 : amount.minor(),
        amount == null ? null : amount.currency(),
        0,
        pendingId,
        reversesId,
        null,
        false,
        Balancing.NONE,
        "{}");
  }

  /** This transfer with a host transfer type. */
  public Transfer withCode(int code) {
    return new Transfer(
        id,
        kind,
        debitAccountId,
        creditAccountId,
        amount,
        currency,
        code,
        pendingId,
        reversesId,
        timeout,
        linked,
        balancing,
        metadata);
  }

  /** This transfer linked to the next one of its batch: both succeed or neither does. */
  public Transfer linkedToNext() {
    return new Transfer(
        id,
        kind,
        debitAccountId,
        creditAccountId,
        amount,
        currency,
        code,
        pendingId,
        reversesId,
        timeout,
        true,
        balancing,
        metadata);
  }

  /** This transfer moving at most what the limit allows (see {@link Balancing}). */
  public Transfer withBalancing(Balancing balancing) {
    return new Transfer(
        id,
        kind,
        debitAccountId,
        creditAccountId,
        amount,
        currency,
        code,
        pendingId,
        reversesId,
        timeout,
        linked,
        balancing,
        metadata);
  }

  /** This transfer with a JSON object as metadata. */
  public Transfer withMetadata(String metadata) {
    return new Transfer(
        id,
        kind,
        debitAccountId,
        creditAccountId,
        amount,
        currency,
        code,
        pendingId,
        reversesId,
        timeout,
        linked,
        balancing,
        metadata);
  }
}
