package dev.odim.ledger;

import dev.odim.core.db.Db;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * A double-entry ledger on PostgreSQL.
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.builder(db).clock(clock).build()) {
 *   ledger.createAccount(Account.of(creator, "NGN", CREATOR_BALANCE)
 *       .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
 *   TransferResult r = ledger.transfer(Transfer.immediate(id, clearing, creator, Money.of(5_000, "NGN"), SALE));
 * }
 * }</pre>
 *
 * <p>Every write without a {@link Handle} goes through group commit: concurrent calls are validated
 * and applied together in one database transaction, each caller getting its own result, so a
 * failing transfer never fails its neighbours. Every write with a {@code Handle} joins the caller's
 * transaction instead (one business fact, one commit). Accounts are locked in ascending id order,
 * and serialization failures are retried inside.
 */
public interface Ledger extends AutoCloseable {

  /** Starts configuring a ledger on {@code db}. */
  static LedgerBuilder builder(Db db) {
    return new LedgerBuilder(db);
  }

  /** Creates an account, or answers {@link AccountCode#EXISTS} for the same one again. */
  AccountResult createAccount(Account account);

  /** Creates accounts in one transaction; one result per account, in order. */
  List<AccountResult> createAccounts(List<Account> accounts);

  /** {@link #createAccounts(List)} in the caller's transaction. */
  List<AccountResult> createAccounts(Handle handle, List<Account> accounts);

  /** Closes an account to new transfers; false when there is no such account. */
  boolean closeAccount(UUID accountId);

  /** Opens a closed account again; false when there is no such account. */
  boolean reopenAccount(UUID accountId);

  /** Makes one transfer. */
  TransferResult transfer(Transfer transfer);

  /** Makes one transfer in the caller's transaction. */
  TransferResult transfer(Handle handle, Transfer transfer);

  /**
   * Makes a batch of transfers, in order, each seeing the effects of those before it; linked chains
   * (transfers marked {@link Transfer#linkedToNext()} followed by the one that ends the chain)
   * succeed or fail as a whole. One result per transfer, in order.
   */
  List<TransferResult> transfers(List<Transfer> transfers);

  /** {@link #transfers(List)} in the caller's transaction. */
  List<TransferResult> transfers(Handle handle, List<Transfer> transfers);

  /** {@link #transfers(List)} without waiting: completes when the batch has committed. */
  CompletableFuture<List<TransferResult>> transfersAsync(List<Transfer> transfers);

  /** Posts a journal entry: its legs become a linked chain of transfers. */
  JournalResult post(JournalEntry entry);

  /** {@link #post(JournalEntry)} in the caller's transaction. */
  JournalResult post(Handle handle, JournalEntry entry);

  /**
   * Posts several entries in the caller's transaction, in order, each succeeding or failing as a
   * whole like {@link #post(Handle, JournalEntry)}; one result per entry, in order. Every account
   * they touch is locked once, in ascending id order, and each table is written with one statement,
   * so a batch of entries costs about what one does.
   */
  List<JournalResult> post(Handle handle, List<JournalEntry> entries);

  /**
   * Voids every pending transfer whose timeout has passed by the ledger's clock; returns how many.
   */
  int expirePendingTransfers();

  /** The account's balances now. */
  Optional<Balance> balance(UUID accountId);

  /** The account's balances as they were at {@code at} (zero before its first change). */
  Optional<Balance> balanceAsOf(UUID accountId, Instant at);

  /** The account's balances right after {@code transferId} changed them. */
  Optional<Balance> balanceAfter(UUID accountId, UUID transferId);

  /**
   * The account's history, newest first, {@code limit} (1 to 1000) postings a page; pass the
   * previous page's {@link HistoryPage#nextCursor()} to go on.
   */
  HistoryPage history(UUID accountId, @Nullable String cursor, int limit);

  /** A transfer by id. */
  Optional<TransferRecord> transferById(UUID transferId);

  /**
   * Checks every invariant in the database: per currency, total debits equal total credits (posted
   * and pending); each account's balances equal the sums of its transfers and its last posting; no
   * limited account beyond its limit; no pending transfer resolved twice. Empty when all hold.
   */
  List<Violation> verify();

  /** Stops the group-commit writer after the batches already queued. */
  @Override
  void close();
}
