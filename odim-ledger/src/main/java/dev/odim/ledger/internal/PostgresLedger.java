package dev.odim.ledger.internal;

import dev.odim.core.db.Db;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.Balance;
import dev.odim.ledger.HistoryPage;
import dev.odim.ledger.JournalEntry;
import dev.odim.ledger.JournalResult;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferRecord;
import dev.odim.ledger.TransferResult;
import dev.odim.ledger.Violation;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** The ledger on PostgreSQL. Being written: every method fails until the engine lands. */
public final class PostgresLedger implements Ledger {
  public PostgresLedger(Db db, String schema, Clock clock, int maxBatchSize) {}

  private static UnsupportedOperationException notYet() {
    return new UnsupportedOperationException("the ledger engine is being written");
  }

  @Override
  public AccountResult createAccount(Account account) {
    throw notYet();
  }

  @Override
  public List<AccountResult> createAccounts(List<Account> accounts) {
    throw notYet();
  }

  @Override
  public List<AccountResult> createAccounts(Handle handle, List<Account> accounts) {
    throw notYet();
  }

  @Override
  public boolean closeAccount(UUID accountId) {
    throw notYet();
  }

  @Override
  public boolean reopenAccount(UUID accountId) {
    throw notYet();
  }

  @Override
  public TransferResult transfer(Transfer transfer) {
    throw notYet();
  }

  @Override
  public TransferResult transfer(Handle handle, Transfer transfer) {
    throw notYet();
  }

  @Override
  public List<TransferResult> transfers(List<Transfer> transfers) {
    throw notYet();
  }

  @Override
  public List<TransferResult> transfers(Handle handle, List<Transfer> transfers) {
    throw notYet();
  }

  @Override
  public CompletableFuture<List<TransferResult>> transfersAsync(List<Transfer> transfers) {
    throw notYet();
  }

  @Override
  public JournalResult post(JournalEntry entry) {
    throw notYet();
  }

  @Override
  public JournalResult post(Handle handle, JournalEntry entry) {
    throw notYet();
  }

  @Override
  public int expirePendingTransfers() {
    throw notYet();
  }

  @Override
  public Optional<Balance> balance(UUID accountId) {
    throw notYet();
  }

  @Override
  public Optional<Balance> balanceAsOf(UUID accountId, Instant at) {
    throw notYet();
  }

  @Override
  public Optional<Balance> balanceAfter(UUID accountId, UUID transferId) {
    throw notYet();
  }

  @Override
  public HistoryPage history(UUID accountId, @Nullable String cursor, int limit) {
    throw notYet();
  }

  @Override
  public Optional<TransferRecord> transferById(UUID transferId) {
    throw notYet();
  }

  @Override
  public List<Violation> verify() {
    throw notYet();
  }

  @Override
  public void close() {}
}
