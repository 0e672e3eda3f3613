package dev.odim.ledger.internal;

import dev.odim.core.db.Db;
import dev.odim.core.db.GroupCommit;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountCode;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.Balance;
import dev.odim.ledger.HistoryPage;
import dev.odim.ledger.JournalEntry;
import dev.odim.ledger.JournalResult;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Posting;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferCode;
import dev.odim.ledger.TransferRecord;
import dev.odim.ledger.TransferResult;
import dev.odim.ledger.Violation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** The ledger on PostgreSQL: group commit for writes, plain queries for reads. */
public final class PostgresLedger implements Ledger {
  private static final int EXPIRY_BATCH = 1000;

  private final Db db;
  private final String s;
  private final Clock clock;
  private final LedgerSql sql;
  private final BatchApplier applier;

  /**
   * Group commit (odim-core): concurrent calls without a {@code Handle} share transactions, up to
   * {@code maxBatchSize} transfers each, so a hot account's row lock and the commit are paid once
   * per batch (docs/ledger.md, "Performance").
   */
  private final GroupCommit<List<Transfer>, List<TransferResult>> committer;

  private final @Nullable ScheduledExecutorService expiry;

  public PostgresLedger(
      Db db, String schema, Clock clock, int maxBatchSize, int writers, Duration expiryInterval) {
    this.db = db;
    this.s = schema + ".";
    this.clock = clock;
    this.sql = new LedgerSql(schema);
    this.applier = new BatchApplier(sql);
    this.committer =
        GroupCommit.<List<Transfer>, List<TransferResult>>builder(
                db,
                (handle, requests) -> {
                  try {
                    return applier.apply(handle, requests, clock.instant());
                  } catch (SQLException e) {
                    throw new LedgerWriteException(e);
                  }
                })
            .weight(List::size)
            .maxBatchSize(maxBatchSize)
            .writers(writers)
            .name("odim-ledger-writer-" + schema)
            .build();
    if (expiryInterval.isZero()) {
      this.expiry = null;
    } else {
      this.expiry =
          Executors.newSingleThreadScheduledExecutor(
              r -> Thread.ofPlatform().daemon().name("odim-ledger-expiry-" + schema).unstarted(r));
      long millis = expiryInterval.toMillis();
      expiry.scheduleWithFixedDelay(this::expireQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  // ---- accounts ----

  @Override
  public AccountResult createAccount(Account account) {
    return createAccounts(List.of(account)).getFirst();
  }

  @Override
  public List<AccountResult> createAccounts(List<Account> accounts) {
    return db.inTransaction(handle -> createAccounts(handle, accounts));
  }

  @Override
  public List<AccountResult> createAccounts(Handle handle, List<Account> accounts) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    AccountCode[] codes = new AccountCode[accounts.size()];
    Map<UUID, Account> toInsert = new LinkedHashMap<>();
    for (int i = 0; i < accounts.size(); i++) {
      Account a = accounts.get(i);
      AccountCode invalid = validate(a);
      if (invalid != null) {
        codes[i] = invalid;
      } else {
        toInsert.putIfAbsent(a.id(), a);
      }
    }
    try {
      Connection connection = handle.getConnection();
      List<UUID> inserted = insertAccounts(connection, toInsert.values(), now);
      Map<UUID, Account> conflicting = new HashMap<>(toInsert);
      inserted.forEach(conflicting::remove);
      Map<UUID, AccountCode> existing = compareExisting(connection, conflicting);
      java.util.Set<UUID> createdNow = new java.util.HashSet<>(inserted);
      for (int i = 0; i < accounts.size(); i++) {
        if (codes[i] != null) {
          continue;
        }
        Account a = accounts.get(i);
        if (createdNow.remove(a.id())) {
          codes[i] = AccountCode.CREATED;
        } else if (existing.containsKey(a.id())) {
          codes[i] = existing.get(a.id());
        } else {
          // The same id twice in one call: the first created it, compare with the first.
          codes[i] = difference(a, toInsert.get(a.id()));
        }
      }
    } catch (SQLException e) {
      throw new LedgerWriteException(e);
    }
    List<AccountResult> results = new ArrayList<>(accounts.size());
    for (int i = 0; i < accounts.size(); i++) {
      results.add(new AccountResult(accounts.get(i).id(), codes[i]));
    }
    return results;
  }

  private static @Nullable AccountCode validate(Account a) {
    AccountFlags f = a.flags();
    if (f.debitsMustNotExceedCredits() && f.creditsMustNotExceedDebits()) {
      return AccountCode.FLAGS_ARE_MUTUALLY_EXCLUSIVE;
    }
    if (a.code() < 0) {
      return AccountCode.CODE_MUST_NOT_BE_NEGATIVE;
    }
    if (a.currency().getDefaultFractionDigits() < 0) {
      return AccountCode.INVALID_CURRENCY;
    }
    if (!Metadata.isObject(a.metadata())) {
      return AccountCode.INVALID_METADATA;
    }
    return null;
  }

  private static AccountCode difference(Account a, Account b) {
    if (!a.currency().equals(b.currency())) {
      return AccountCode.EXISTS_WITH_DIFFERENT_CURRENCY;
    }
    if (a.code() != b.code()) {
      return AccountCode.EXISTS_WITH_DIFFERENT_CODE;
    }
    if (!a.flags().equals(b.flags())) {
      return AccountCode.EXISTS_WITH_DIFFERENT_FLAGS;
    }
    if (!a.metadata().equals(b.metadata())) {
      return AccountCode.EXISTS_WITH_DIFFERENT_METADATA;
    }
    return AccountCode.EXISTS;
  }

  private List<UUID> insertAccounts(
      Connection connection, java.util.Collection<Account> accounts, Instant now)
      throws SQLException {
    if (accounts.isEmpty()) {
      return List.of();
    }
    int n = accounts.size();
    Object[] id = new Object[n];
    Object[] currency = new Object[n];
    Object[] code = new Object[n];
    Object[] dmnec = new Object[n];
    Object[] cmned = new Object[n];
    Object[] history = new Object[n];
    Object[] closed = new Object[n];
    Object[] metadata = new Object[n];
    int i = 0;
    for (Account a : accounts) {
      id[i] = a.id();
      currency[i] = a.currency().getCurrencyCode();
      code[i] = a.code();
      dmnec[i] = a.flags().debitsMustNotExceedCredits();
      cmned[i] = a.flags().creditsMustNotExceedDebits();
      history[i] = a.flags().history();
      closed[i] = a.flags().closed();
      metadata[i] = a.metadata();
      i++;
    }
    String insert =
        "INSERT INTO "
            + s
            + "accounts (id, currency, code, debits_must_not_exceed_credits,"
            + " credits_must_not_exceed_debits, history, closed, metadata, created_at)"
            + " SELECT id, cur, code, dmnec, cmned, hist, closed, md::jsonb, ?::timestamptz"
            + " FROM unnest(?::uuid[], ?::text[], ?::int[], ?::boolean[], ?::boolean[],"
            + " ?::boolean[], ?::boolean[], ?::text[]) AS r(id, cur, code, dmnec, cmned, hist,"
            + " closed, md) ON CONFLICT (id) DO NOTHING RETURNING id";
    List<UUID> inserted = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      statement.setString(1, now.toString());
      statement.setArray(2, connection.createArrayOf("uuid", id));
      statement.setArray(3, connection.createArrayOf("text", currency));
      statement.setArray(4, connection.createArrayOf("int4", code));
      statement.setArray(5, connection.createArrayOf("bool", dmnec));
      statement.setArray(6, connection.createArrayOf("bool", cmned));
      statement.setArray(7, connection.createArrayOf("bool", history));
      statement.setArray(8, connection.createArrayOf("bool", closed));
      statement.setArray(9, connection.createArrayOf("text", metadata));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          inserted.add(rows.getObject(1, UUID.class));
        }
      }
    }
    return inserted;
  }

  private Map<UUID, AccountCode> compareExisting(Connection connection, Map<UUID, Account> asked)
      throws SQLException {
    Map<UUID, AccountCode> codes = new HashMap<>();
    if (asked.isEmpty()) {
      return codes;
    }
    UUID[] ids = asked.keySet().toArray(UUID[]::new);
    String[] metadata = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      metadata[i] = asked.get(ids[i]).metadata();
    }
    String query =
        "SELECT a.id, a.currency, a.code, a.debits_must_not_exceed_credits,"
            + " a.credits_must_not_exceed_debits, a.history, a.metadata = r.m::jsonb FROM "
            + s
            + "accounts a JOIN unnest(?::uuid[], ?::text[]) AS r(id, m) ON a.id = r.id";
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, connection.createArrayOf("text", metadata));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          UUID id = rows.getObject(1, UUID.class);
          Account a = asked.get(id);
          AccountCode code;
          if (!a.currency().getCurrencyCode().equals(rows.getString(2))) {
            code = AccountCode.EXISTS_WITH_DIFFERENT_CURRENCY;
          } else if (a.code() != rows.getInt(3)) {
            code = AccountCode.EXISTS_WITH_DIFFERENT_CODE;
          } else if (a.flags().debitsMustNotExceedCredits() != rows.getBoolean(4)
              || a.flags().creditsMustNotExceedDebits() != rows.getBoolean(5)
              || a.flags().history() != rows.getBoolean(6)) {
            // closed is not compared: it changes with closeAccount, and creating the account again
            // must not start failing once it is closed.
            code = AccountCode.EXISTS_WITH_DIFFERENT_FLAGS;
          } else if (!rows.getBoolean(7)) {
            code = AccountCode.EXISTS_WITH_DIFFERENT_METADATA;
          } else {
            code = AccountCode.EXISTS;
          }
          codes.put(id, code);
        }
      }
    }
    return codes;
  }

  @Override
  public boolean closeAccount(UUID accountId) {
    return setClosed(accountId, true);
  }

  @Override
  public boolean reopenAccount(UUID accountId) {
    return setClosed(accountId, false);
  }

  private boolean setClosed(UUID accountId, boolean closed) {
    return db.inTransaction(
            handle ->
                handle
                    .createUpdate("UPDATE " + s + "accounts SET closed = :closed WHERE id = :id")
                    .bind("closed", closed)
                    .bind("id", accountId)
                    .execute())
        > 0;
  }

  // ---- transfers ----

  @Override
  public TransferResult transfer(Transfer transfer) {
    return transfers(List.of(transfer)).getFirst();
  }

  @Override
  public TransferResult transfer(Handle handle, Transfer transfer) {
    return transfers(handle, List.of(transfer)).getFirst();
  }

  @Override
  public List<TransferResult> transfers(List<Transfer> transfers) {
    if (transfers.isEmpty()) {
      return List.of();
    }
    return committer.call(List.copyOf(transfers));
  }

  @Override
  public List<TransferResult> transfers(Handle handle, List<Transfer> transfers) {
    if (transfers.isEmpty()) {
      return List.of();
    }
    try {
      return applier.apply(handle, List.of(transfers), clock.instant()).getFirst();
    } catch (SQLException e) {
      throw new LedgerWriteException(e);
    }
  }

  @Override
  public CompletableFuture<List<TransferResult>> transfersAsync(List<Transfer> transfers) {
    if (transfers.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return committer.submit(List.copyOf(transfers));
  }

  @Override
  public JournalResult post(JournalEntry entry) {
    return journal(entry, this::transfers);
  }

  @Override
  public JournalResult post(Handle handle, JournalEntry entry) {
    return journal(entry, transfers -> transfers(handle, transfers));
  }

  @Override
  public List<JournalResult> post(Handle handle, List<JournalEntry> entries) {
    List<List<Transfer>> requests = new ArrayList<>();
    for (JournalEntry entry : entries) {
      if (Journals.check(entry) == null) {
        requests.add(Journals.transfers(entry));
      }
    }
    List<List<TransferResult>> applied;
    try {
      applied = requests.isEmpty() ? List.of() : applier.apply(handle, requests, clock.instant());
    } catch (SQLException e) {
      throw new LedgerWriteException(e);
    }
    List<JournalResult> results = new ArrayList<>(entries.size());
    int next = 0;
    for (JournalEntry entry : entries) {
      JournalResult.JournalCode malformed = Journals.check(entry);
      results.add(
          malformed != null
              ? new JournalResult(
                  entry.id(), TransferCode.INVALID_JOURNAL_ENTRY, malformed, List.of())
              : journalResult(entry, applied.get(next++)));
    }
    return results;
  }

  private JournalResult journal(
      JournalEntry entry, java.util.function.Function<List<Transfer>, List<TransferResult>> apply) {
    JournalResult.JournalCode malformed = Journals.check(entry);
    if (malformed != null) {
      return new JournalResult(
          entry.id(), TransferCode.INVALID_JOURNAL_ENTRY, malformed, List.of());
    }
    return journalResult(entry, apply.apply(Journals.transfers(entry)));
  }

  /** The entry's result from its transfers' results: the first failing transfer's reason. */
  private static JournalResult journalResult(JournalEntry entry, List<TransferResult> results) {
    TransferCode code = TransferCode.EXISTS;
    for (TransferResult r : results) {
      if (r.code() == TransferCode.CREATED) {
        code = TransferCode.CREATED;
      }
    }
    for (TransferResult r : results) {
      if (!r.ok()) {
        // The failing transfer's own reason; the others of the chain only say it failed.
        code = r.code();
        if (code != TransferCode.LINKED_EVENT_FAILED) {
          break;
        }
      }
    }
    return new JournalResult(entry.id(), code, null, results);
  }

  @Override
  public int expirePendingTransfers() {
    int total = 0;
    while (true) {
      int expired = db.inTransaction(this::expireSome);
      total += expired;
      if (expired < EXPIRY_BATCH) {
        return total;
      }
    }
  }

  private int expireSome(Handle handle) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    try {
      Connection connection = handle.getConnection();
      List<StoredTransfer> due = sql.lockDueTransfers(connection, now, EXPIRY_BATCH);
      if (due.isEmpty()) {
        return 0;
      }
      java.util.Set<UUID> accountIds = new java.util.HashSet<>();
      for (StoredTransfer p : due) {
        accountIds.add(p.debitAccountId);
        accountIds.add(p.creditAccountId);
      }
      Map<UUID, AccountState> accounts = sql.lockAccounts(connection, accountIds);
      for (StoredTransfer p : due) {
        AccountState debit = accounts.get(p.debitAccountId);
        AccountState credit = accounts.get(p.creditAccountId);
        debit.change(-p.amount, 0, 0, 0);
        credit.change(0, 0, -p.amount, 0);
        debit.post(p.id, "expire");
        credit.post(p.id, "expire");
        p.pendingState = "expired";
      }
      sql.updateTransfers(connection, due);
      List<AccountState> touched = new ArrayList<>(accounts.values());
      sql.insertPostings(connection, touched, now);
      sql.updateAccounts(connection, touched);
      return due.size();
    } catch (SQLException e) {
      throw new LedgerWriteException(e);
    }
  }

  private void expireQuietly() {
    try {
      expirePendingTransfers();
    } catch (RuntimeException e) {
      // The next run tries again; a hold that outlives its timeout a little is still refused by
      // post and void, which check the timeout themselves.
    }
  }

  // ---- reads ----

  @Override
  public Optional<Balance> balance(UUID accountId) {
    return findBalance(sql.balance, Map.of("id", accountId));
  }

  @Override
  public Optional<Balance> balanceAsOf(UUID accountId, Instant at) {
    return findBalance(sql.balanceAsOf, Map.of("id", accountId, "at", at.toString()));
  }

  @Override
  public Optional<Balance> balanceAfter(UUID accountId, UUID transferId) {
    return findBalance(sql.balanceAfter, Map.of("account", accountId, "transfer", transferId));
  }

  private Optional<Balance> findBalance(String query, Map<String, Object> parameters) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(query)
                .bindMap(parameters)
                .map((rows, ctx) -> balanceOf(rows))
                .findOne());
  }

  @Override
  public HistoryPage history(UUID accountId, @Nullable String cursor, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be 1 to 1000, was " + limit);
    }
    long before = cursor == null ? Long.MAX_VALUE : parseCursor(cursor);
    List<Posting> postings =
        db.withHandle(
            handle ->
                handle
                    .createQuery(sql.history)
                    .bind("account", accountId)
                    .bind("before", before)
                    .bind("limit", limit + 1)
                    .map(
                        (rows, ctx) -> {
                          Balance balance = balanceOf(rows);
                          return new Posting(
                              accountId,
                              balance.version(),
                              rows.getObject(9, UUID.class),
                              rows.getString(10),
                              balance);
                        })
                    .list());
    if (postings.size() <= limit) {
      return new HistoryPage(postings, null);
    }
    List<Posting> page = postings.subList(0, limit);
    return new HistoryPage(page, "v" + page.getLast().version());
  }

  private static long parseCursor(String cursor) {
    try {
      if (!cursor.startsWith("v")) {
        throw new NumberFormatException(cursor);
      }
      return Long.parseLong(cursor.substring(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a history cursor: \"" + cursor + "\"", e);
    }
  }

  @Override
  public Optional<TransferRecord> transferById(UUID transferId) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(sql.transferById)
                .bind("id", transferId)
                .map(
                    (rows, ctx) -> {
                      StoredTransfer t = LedgerSql.readTransfer(rows);
                      return new TransferRecord(
                          t.id,
                          t.kind,
                          t.debitAccountId,
                          t.creditAccountId,
                          t.amount,
                          Currency.getInstance(t.currency),
                          t.code,
                          t.pendingId,
                          t.reversesId,
                          t.pendingState,
                          t.timeoutAt,
                          t.reversedAmount,
                          t.metadata,
                          t.createdAt);
                    })
                .findOne());
  }

  @Override
  public List<Violation> verify() {
    return db.inTransaction(handle -> new Verifier(s).verify(handle));
  }

  @Override
  public void close() {
    if (expiry != null) {
      expiry.shutdownNow();
    }
    committer.close();
  }

  private static Balance balanceOf(ResultSet rows) throws SQLException {
    return new Balance(
        rows.getObject(1, UUID.class),
        Currency.getInstance(rows.getString(2)),
        rows.getLong(3),
        rows.getLong(4),
        rows.getLong(5),
        rows.getLong(6),
        rows.getLong(7),
        rows.getTimestamp(8).toInstant());
  }

  /** Turns journal entries into linked transfers. */
  static final class Journals {
    private Journals() {}

    static JournalResult.@Nullable JournalCode check(JournalEntry entry) {
      if (entry.legs().size() < 2) {
        return JournalResult.JournalCode.TOO_FEW_LEGS;
      }
      Map<Currency, Long> sums = new HashMap<>();
      for (JournalEntry.Leg leg : entry.legs()) {
        if (leg.amount().minor() <= 0) {
          return JournalResult.JournalCode.AMOUNT_MUST_BE_POSITIVE;
        }
        long signed = leg.debit() ? leg.amount().minor() : -leg.amount().minor();
        try {
          sums.merge(leg.amount().currency(), signed, Math::addExact);
        } catch (ArithmeticException e) {
          return JournalResult.JournalCode.NOT_BALANCED;
        }
      }
      for (long sum : sums.values()) {
        if (sum != 0) {
          return JournalResult.JournalCode.NOT_BALANCED;
        }
      }
      return null;
    }

    /**
     * Pairs debit legs with credit legs of the same currency, in the order given, into transfers
     * linked as one chain; each transfer's id derives from the entry's id and its position.
     */
    static List<Transfer> transfers(JournalEntry entry) {
      Map<Currency, Deque<long[]>> debits = new LinkedHashMap<>();
      Map<Currency, Deque<long[]>> credits = new LinkedHashMap<>();
      List<UUID> accounts = new ArrayList<>();
      for (JournalEntry.Leg leg : entry.legs()) {
        accounts.add(leg.accountId());
        (leg.debit() ? debits : credits)
            .computeIfAbsent(leg.amount().currency(), c -> new ArrayDeque<>())
            .add(new long[] {accounts.size() - 1, leg.amount().minor()});
      }
      List<Transfer> transfers = new ArrayList<>();
      for (Map.Entry<Currency, Deque<long[]>> side : debits.entrySet()) {
        Deque<long[]> d = side.getValue();
        Deque<long[]> c = credits.getOrDefault(side.getKey(), new ArrayDeque<>());
        while (!d.isEmpty() && !c.isEmpty()) {
          long[] debit = d.peek();
          long[] credit = c.peek();
          long amount = Math.min(debit[1], credit[1]);
          UUID id =
              UUID.nameUUIDFromBytes(
                  (entry.id() + ":" + transfers.size()).getBytes(StandardCharsets.UTF_8));
          transfers.add(
              Transfer.immediate(
                      id,
                      accounts.get((int) debit[0]),
                      accounts.get((int) credit[0]),
                      dev.odim.core.Money.of(amount, side.getKey()),
                      entry.code())
                  .withMetadata(entry.metadata()));
          debit[1] -= amount;
          credit[1] -= amount;
          if (debit[1] == 0) {
            d.poll();
          }
          if (credit[1] == 0) {
            c.poll();
          }
        }
      }
      for (int i = 0; i < transfers.size() - 1; i++) {
        transfers.set(i, transfers.get(i).linkedToNext());
      }
      return transfers;
    }
  }
}
