package dev.odim.ledger.internal;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Oid;
import org.postgresql.jdbc.PgArray;

/**
 * The statements of the write path. Every multi-row write passes one array per column and expands
 * it with {@code unnest}, so a batch of any size is one statement; a batch's writes are one round
 * trip in all ({@link #write}). Everything a batch writes carries the batch's one timestamp, sent
 * once as ISO-8601 text: exact to the microsecond and free of time-zone conversions.
 */
final class LedgerSql {
  final String lockTransfers;
  private final String sameMetadata;
  final String lockAccounts;
  private final String writeBatch;
  private final String updateTransfers;
  private final String insertPostings;
  private final String updateAccounts;
  private final String lockTransfersAndAccounts;
  private final String dueTransfers;
  private final String deleteTransfers;

  /** A read of the public API, kept here so that a test can check its plan. */
  final String balance;

  /** A read of the public API, kept here so that a test can check its plan. */
  final String balanceAsOf;

  /** A read of the public API, kept here so that a test can check its plan. */
  final String balanceAfter;

  /** A read of the public API, kept here so that a test can check its plan. */
  final String history;

  /** A read of the public API, kept here so that a test can check its plan. */
  final String transferById;

  LedgerSql(String schema) {
    String s = schema + ".";
    this.lockTransfers =
        "SELECT "
            + TRANSFER_COLUMNS
            + " FROM "
            + s
            + "transfers WHERE id = ANY(?) ORDER BY id FOR UPDATE";
    this.sameMetadata =
        "SELECT t.id FROM "
            + s
            + "transfers t JOIN unnest(?::uuid[], ?::text[]) AS r(id, m) ON t.id = r.id"
            + " WHERE t.metadata = r.m::jsonb";
    this.lockAccounts =
        "SELECT id, currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits,"
            + " closed, debits_pending, debits_posted, credits_pending, credits_posted, version"
            + " FROM "
            + s
            + "accounts WHERE id = ANY(?) ORDER BY id FOR UPDATE";
    this.deleteTransfers = "DELETE FROM " + s + "transfers WHERE id = ANY(?)";
    this.balance =
        "SELECT a.id, a.currency, a.debits_pending, a.debits_posted, a.credits_pending,"
            + " a.credits_posted, a.version, coalesce((SELECT p.created_at FROM "
            + s
            + "postings p WHERE p.account_id = a.id AND p.version = a.version),"
            + " a.created_at) FROM "
            + s
            + "accounts a WHERE a.id = :id";
    this.balanceAsOf =
        "SELECT a.id, a.currency, coalesce(p.debits_pending, 0),"
            + " coalesce(p.debits_posted, 0), coalesce(p.credits_pending, 0),"
            + " coalesce(p.credits_posted, 0), coalesce(p.version, 0),"
            + " coalesce(p.created_at, a.created_at) FROM "
            + s
            + "accounts a LEFT JOIN LATERAL (SELECT * FROM "
            + s
            + "postings WHERE account_id = a.id AND created_at <= :at::timestamptz"
            + " ORDER BY created_at DESC, version DESC LIMIT 1) p ON true WHERE a.id = :id";
    this.balanceAfter =
        "SELECT p.account_id, a.currency, p.debits_pending, p.debits_posted,"
            + " p.credits_pending, p.credits_posted, p.version, p.created_at FROM "
            + s
            + "transfers t JOIN "
            + s
            + "postings p ON p.account_id = :account AND p.version = CASE"
            + " WHEN t.debit_account_id = :account THEN t.debit_version"
            + " WHEN t.credit_account_id = :account THEN t.credit_version END JOIN "
            + s
            + "accounts a ON a.id = p.account_id WHERE t.id = :transfer";
    this.history =
        "SELECT p.account_id, a.currency, p.debits_pending, p.debits_posted,"
            + " p.credits_pending, p.credits_posted, p.version, p.created_at,"
            + " p.transfer_id, p.event FROM "
            + s
            + "postings p JOIN "
            + s
            + "accounts a ON a.id = p.account_id"
            + " WHERE p.account_id = :account AND p.version < :before"
            + " ORDER BY p.version DESC LIMIT :limit";
    this.transferById =
        "SELECT " + LedgerSql.TRANSFER_COLUMNS + " FROM " + s + "transfers WHERE id = :id";

    this.updateTransfers =
        "UPDATE "
            + s
            + "transfers t SET pending_state = r.ps, reversed_amount = r.rev"
            + " FROM unnest(?::uuid[], ?::text[], ?::bigint[]) AS r(id, ps, rev) WHERE t.id = r.id";
    this.insertPostings =
        "INSERT INTO "
            + s
            + "postings (account_id, version, transfer_id, event, debits_pending, debits_posted,"
            + " credits_pending, credits_posted, created_at)"
            + " SELECT a, v, t, e, dp, dpo, cp, cpo, ?::timestamptz FROM unnest(?::uuid[],"
            + " ?::bigint[], ?::uuid[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::bigint[]) AS r(a, v, t, e, dp, dpo, cp, cpo)";
    this.updateAccounts =
        "UPDATE "
            + s
            + "accounts a SET debits_pending = r.dp, debits_posted = r.dpo, credits_pending = r.cp,"
            + " credits_posted = r.cpo, version = r.v FROM unnest(?::uuid[], ?::bigint[],"
            + " ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS r(id, dp, dpo, cp, cpo, v)"
            + " WHERE a.id = r.id";
    // The writes of a batch in one round trip: new transfers, changed transfers and postings in
    // one statement, then the accounts. The changes and postings are written only when every new
    // transfer was (none was created concurrently); the accounts are written regardless and put
    // back by the caller in that rare case. The accounts come in a statement of their own, after
    // the foreign-key checks of the new transfers, which then find the account rows this
    // transaction already locked: inside one statement they would lock the updated rows again.
    this.writeBatch =
        "WITH inserted AS (INSERT INTO "
            + s
            + "transfers (id, kind, debit_account_id, credit_account_id, amount, requested_amount,"
            + " currency, code, pending_id, reverses_id, timeout_ms, timeout_at, pending_state,"
            + " reversed_amount, linked, balancing, metadata, created_at, debit_version,"
            + " credit_version)"
            + " SELECT id, kind, d, c, amount, req, cur, code, pid, rid, tms, tat::timestamptz, ps,"
            + " rev, linked, bal, md::jsonb, ?::timestamptz, dv, cv FROM unnest(?::uuid[],"
            + " ?::text[], ?::uuid[], ?::uuid[], ?::bigint[], ?::bigint[], ?::text[], ?::int[],"
            + " ?::uuid[], ?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::bigint[],"
            + " ?::boolean[], ?::text[], ?::text[], ?::bigint[], ?::bigint[])"
            + " AS r(id, kind, d, c, amount, req, cur, code, pid, rid, tms, tat, ps, rev, linked,"
            + " bal, md, dv, cv) ON CONFLICT (id) DO NOTHING RETURNING id),"
            + " complete AS (SELECT count(*) = ? AS ok FROM inserted),"
            + " resolved AS (UPDATE "
            + s
            + "transfers t SET pending_state = r.ps, reversed_amount = r.rev"
            + " FROM unnest(?::uuid[], ?::text[], ?::bigint[]) AS r(id, ps, rev), complete"
            + " WHERE t.id = r.id AND complete.ok),"
            + " posted AS (INSERT INTO "
            + s
            + "postings (account_id, version, transfer_id, event, debits_pending, debits_posted,"
            + " credits_pending, credits_posted, created_at)"
            + " SELECT a, v, tr, e, dp, dpo, cp, cpo, ?::timestamptz FROM unnest(?::uuid[],"
            + " ?::bigint[], ?::uuid[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::bigint[]) AS r(a, v, tr, e, dp, dpo, cp, cpo), complete WHERE complete.ok)"
            + " SELECT id FROM inserted; "
            + updateAccounts;
    // The two locks of a batch that refers to no earlier transfer, in one round trip and in the
    // global order: transfers first, then accounts.
    this.lockTransfersAndAccounts = lockTransfers + "; " + lockAccounts;
    this.dueTransfers =
        "SELECT "
            + TRANSFER_COLUMNS
            + " FROM "
            + s
            + "transfers WHERE pending_state = 'pending' AND timeout_at <= ?::timestamptz"
            + " ORDER BY id LIMIT ? FOR UPDATE";
  }

  /** Pending transfers whose timeout has passed, locked, at most {@code limit}. */
  List<StoredTransfer> lockDueTransfers(Connection connection, Instant now, int limit)
      throws SQLException {
    List<StoredTransfer> due = new java.util.ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(dueTransfers)) {
      statement.setString(1, now.toString());
      statement.setInt(2, limit);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          due.add(readTransfer(rows));
        }
      }
    }
    return due;
  }

  static final String TRANSFER_COLUMNS =
      "id, kind, debit_account_id, credit_account_id, amount, requested_amount, currency, code,"
          + " pending_id, reverses_id, timeout_ms, timeout_at, pending_state, reversed_amount,"
          + " linked, balancing, metadata::text, created_at";

  /** Reads a row selected with {@link #TRANSFER_COLUMNS}. */
  static StoredTransfer readTransfer(ResultSet rows) throws SQLException {
    long timeoutMs = rows.getLong(11);
    boolean noTimeout = rows.wasNull();
    return new StoredTransfer(
        rows.getObject(1, UUID.class),
        StoredTransfer.kindOf(rows.getString(2)),
        rows.getObject(3, UUID.class),
        rows.getObject(4, UUID.class),
        rows.getLong(5),
        rows.getLong(6),
        rows.getString(7),
        rows.getInt(8),
        rows.getObject(9, UUID.class),
        rows.getObject(10, UUID.class),
        noTimeout ? null : timeoutMs,
        instant(rows.getTimestamp(12)),
        rows.getString(13),
        rows.getLong(14),
        rows.getBoolean(15),
        StoredTransfer.balancingOf(rows.getString(16)),
        rows.getString(17),
        rows.getTimestamp(18).toInstant(),
        false);
  }

  Map<UUID, StoredTransfer> lockTransfers(Connection connection, Collection<UUID> ids)
      throws SQLException {
    Map<UUID, StoredTransfer> found = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(lockTransfers)) {
      statement.setArray(1, uuids(connection, ids.toArray(UUID[]::new)));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          StoredTransfer transfer = readTransfer(rows);
          found.put(transfer.id, transfer);
        }
      }
    }
    return found;
  }

  /** Of the given (id, metadata) pairs, the ids whose stored metadata is the same JSON. */
  Set<UUID> sameMetadata(Connection connection, Map<UUID, String> metadataById)
      throws SQLException {
    Set<UUID> same = new HashSet<>();
    if (metadataById.isEmpty()) {
      return same;
    }
    UUID[] ids = metadataById.keySet().toArray(UUID[]::new);
    String[] texts = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      texts[i] = metadataById.get(ids[i]);
    }
    try (PreparedStatement statement = connection.prepareStatement(sameMetadata)) {
      statement.setArray(1, uuids(connection, ids));
      statement.setArray(2, connection.createArrayOf("text", texts));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          same.add(rows.getObject(1, UUID.class));
        }
      }
    }
    return same;
  }

  Map<UUID, AccountState> lockAccounts(Connection connection, Collection<UUID> ids)
      throws SQLException {
    Map<UUID, AccountState> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    try (PreparedStatement statement = connection.prepareStatement(lockAccounts)) {
      statement.setArray(1, uuids(connection, ids.toArray(UUID[]::new)));
      try (ResultSet rows = statement.executeQuery()) {
        readAccounts(rows, found);
      }
    }
    return found;
  }

  /** What a batch locked: the transfers it names and the accounts it moves money between. */
  record Locked(Map<UUID, StoredTransfer> transfers, Map<UUID, AccountState> accounts) {}

  /**
   * {@link #lockTransfers} and then {@link #lockAccounts}, sent together: for a batch whose
   * accounts are known before the transfers are read, because none refers to an earlier transfer.
   */
  Locked lockTransfersAndAccounts(
      Connection connection, Collection<UUID> transferIds, Collection<UUID> accountIds)
      throws SQLException {
    Map<UUID, StoredTransfer> transfers = new HashMap<>();
    Map<UUID, AccountState> accounts = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(lockTransfersAndAccounts)) {
      statement.setArray(1, uuids(connection, transferIds.toArray(UUID[]::new)));
      statement.setArray(2, uuids(connection, accountIds.toArray(UUID[]::new)));
      statement.execute();
      try (ResultSet rows = statement.getResultSet()) {
        while (rows.next()) {
          StoredTransfer transfer = readTransfer(rows);
          transfers.put(transfer.id, transfer);
        }
      }
      if (!statement.getMoreResults()) {
        throw new SQLException("the account lock returned no rows");
      }
      try (ResultSet rows = statement.getResultSet()) {
        readAccounts(rows, accounts);
      }
    }
    return new Locked(transfers, accounts);
  }

  private static void readAccounts(ResultSet rows, Map<UUID, AccountState> into)
      throws SQLException {
    while (rows.next()) {
      AccountState account =
          new AccountState(
              rows.getObject(1, UUID.class),
              rows.getString(2),
              rows.getBoolean(3),
              rows.getBoolean(4),
              rows.getBoolean(5),
              rows.getLong(6),
              rows.getLong(7),
              rows.getLong(8),
              rows.getLong(9),
              rows.getLong(10));
      into.put(account.id, account);
    }
  }

  /**
   * Writes a batch in one round trip: its new transfers, all made at {@code now}, the earlier
   * transfers it changed, and the postings and balances of the accounts it touched. Returns false
   * when a concurrent transaction committed one of the new ids first; the batch's writes are then
   * taken back, and the caller runs it again.
   */
  boolean write(
      Connection connection,
      List<StoredTransfer> created,
      List<StoredTransfer> changed,
      List<AccountState> touched,
      Instant now)
      throws SQLException {
    if (created.isEmpty() && changed.isEmpty() && touched.isEmpty()) {
      return true;
    }
    List<UUID> inserted = new java.util.ArrayList<>(created.size());
    try (PreparedStatement statement = connection.prepareStatement(writeBatch)) {
      int p = 1;
      statement.setString(p++, now.toString());
      p = bindTransfers(connection, statement, p, created);
      statement.setLong(p++, created.size());
      p = bindChanges(connection, statement, p, changed);
      statement.setString(p++, now.toString());
      p = bindPostings(connection, statement, p, touched);
      bindAccounts(connection, statement, p, touched, false);
      statement.execute();
      try (ResultSet rows = statement.getResultSet()) {
        while (rows.next()) {
          inserted.add(rows.getObject(1, UUID.class));
        }
      }
    }
    if (inserted.size() == created.size()) {
      return true;
    }
    // Rare: another transaction created one of the ids at the same moment. The changes and
    // postings were not written (the statement checks that every transfer was); the accounts
    // were, and go back to what was locked.
    try (PreparedStatement delete = connection.prepareStatement(deleteTransfers)) {
      delete.setArray(1, uuids(connection, inserted.toArray(UUID[]::new)));
      delete.executeUpdate();
    }
    try (PreparedStatement restore = connection.prepareStatement(updateAccounts)) {
      bindAccounts(connection, restore, 1, touched, true);
      restore.executeUpdate();
    }
    return false;
  }

  // Arrays go to the driver typed (Long[], String[], ...), not as Object[]: it then sends numbers,
  // booleans and text in PostgreSQL's binary array format, which neither side has to print or
  // parse.

  private static int bindTransfers(
      Connection connection, PreparedStatement statement, int first, List<StoredTransfer> transfers)
      throws SQLException {
    int n = transfers.size();
    UUID[] id = new UUID[n];
    String[] kind = new String[n];
    UUID[] debit = new UUID[n];
    UUID[] credit = new UUID[n];
    Long[] amount = new Long[n];
    Long[] requested = new Long[n];
    String[] currency = new String[n];
    Integer[] code = new Integer[n];
    UUID[] pending = new UUID[n];
    UUID[] reverses = new UUID[n];
    Long[] timeoutMs = new Long[n];
    String[] timeoutAt = new String[n];
    String[] state = new String[n];
    Long[] reversed = new Long[n];
    Boolean[] linked = new Boolean[n];
    String[] balancing = new String[n];
    String[] metadata = new String[n];
    Long[] debitVersion = new Long[n];
    Long[] creditVersion = new Long[n];
    for (int i = 0; i < n; i++) {
      StoredTransfer t = transfers.get(i);
      id[i] = t.id;
      kind[i] = StoredTransfer.kindName(t.kind);
      debit[i] = t.debitAccountId;
      credit[i] = t.creditAccountId;
      amount[i] = t.amount;
      requested[i] = t.requestedAmount;
      currency[i] = t.currency;
      code[i] = t.code;
      pending[i] = t.pendingId;
      reverses[i] = t.reversesId;
      timeoutMs[i] = t.timeoutMs;
      timeoutAt[i] = t.timeoutAt == null ? null : t.timeoutAt.toString();
      state[i] = t.pendingState;
      reversed[i] = t.reversedAmount;
      linked[i] = t.linked;
      balancing[i] = StoredTransfer.balancingName(t.balancing);
      metadata[i] = t.metadata;
      debitVersion[i] = t.debitVersion;
      creditVersion[i] = t.creditVersion;
    }
    int p = first;
    statement.setArray(p++, uuids(connection, id));
    statement.setArray(p++, connection.createArrayOf("text", kind));
    statement.setArray(p++, uuids(connection, debit));
    statement.setArray(p++, uuids(connection, credit));
    statement.setArray(p++, connection.createArrayOf("int8", amount));
    statement.setArray(p++, connection.createArrayOf("int8", requested));
    statement.setArray(p++, connection.createArrayOf("text", currency));
    statement.setArray(p++, connection.createArrayOf("int4", code));
    statement.setArray(p++, uuids(connection, pending));
    statement.setArray(p++, uuids(connection, reverses));
    statement.setArray(p++, connection.createArrayOf("int8", timeoutMs));
    statement.setArray(p++, connection.createArrayOf("text", timeoutAt));
    statement.setArray(p++, connection.createArrayOf("text", state));
    statement.setArray(p++, connection.createArrayOf("int8", reversed));
    statement.setArray(p++, connection.createArrayOf("bool", linked));
    statement.setArray(p++, connection.createArrayOf("text", balancing));
    statement.setArray(p++, connection.createArrayOf("text", metadata));
    statement.setArray(p++, connection.createArrayOf("int8", debitVersion));
    statement.setArray(p++, connection.createArrayOf("int8", creditVersion));
    return p;
  }

  private static int bindChanges(
      Connection connection, PreparedStatement statement, int first, List<StoredTransfer> changed)
      throws SQLException {
    int n = changed.size();
    UUID[] id = new UUID[n];
    String[] state = new String[n];
    Long[] reversed = new Long[n];
    for (int i = 0; i < n; i++) {
      StoredTransfer t = changed.get(i);
      id[i] = t.id;
      state[i] = t.pendingState;
      reversed[i] = t.reversedAmount;
    }
    int p = first;
    statement.setArray(p++, uuids(connection, id));
    statement.setArray(p++, connection.createArrayOf("text", state));
    statement.setArray(p++, connection.createArrayOf("int8", reversed));
    return p;
  }

  private static int bindPostings(
      Connection connection, PreparedStatement statement, int first, List<AccountState> accounts)
      throws SQLException {
    int n = 0;
    for (AccountState a : accounts) {
      n += a.postings.size();
    }
    UUID[] account = new UUID[n];
    Long[] version = new Long[n];
    UUID[] transfer = new UUID[n];
    String[] event = new String[n];
    Long[] dp = new Long[n];
    Long[] dpo = new Long[n];
    Long[] cp = new Long[n];
    Long[] cpo = new Long[n];
    int i = 0;
    for (AccountState a : accounts) {
      for (AccountState.PostingRow row : a.postings) {
        account[i] = row.accountId();
        version[i] = row.version();
        transfer[i] = row.transferId();
        event[i] = row.event();
        dp[i] = row.debitsPending();
        dpo[i] = row.debitsPosted();
        cp[i] = row.creditsPending();
        cpo[i] = row.creditsPosted();
        i++;
      }
    }
    int p = first;
    statement.setArray(p++, uuids(connection, account));
    statement.setArray(p++, connection.createArrayOf("int8", version));
    statement.setArray(p++, uuids(connection, transfer));
    statement.setArray(p++, connection.createArrayOf("text", event));
    statement.setArray(p++, connection.createArrayOf("int8", dp));
    statement.setArray(p++, connection.createArrayOf("int8", dpo));
    statement.setArray(p++, connection.createArrayOf("int8", cp));
    statement.setArray(p++, connection.createArrayOf("int8", cpo));
    return p;
  }

  /** The accounts' balances as changed, or as locked when {@code loaded}. */
  private static int bindAccounts(
      Connection connection,
      PreparedStatement statement,
      int first,
      List<AccountState> accounts,
      boolean loaded)
      throws SQLException {
    int n = accounts.size();
    UUID[] id = new UUID[n];
    Long[] dp = new Long[n];
    Long[] dpo = new Long[n];
    Long[] cp = new Long[n];
    Long[] cpo = new Long[n];
    Long[] version = new Long[n];
    for (int i = 0; i < n; i++) {
      AccountState a = accounts.get(i);
      id[i] = a.id;
      dp[i] = loaded ? a.loadedDebitsPending : a.debitsPending;
      dpo[i] = loaded ? a.loadedDebitsPosted : a.debitsPosted;
      cp[i] = loaded ? a.loadedCreditsPending : a.creditsPending;
      cpo[i] = loaded ? a.loadedCreditsPosted : a.creditsPosted;
      version[i] = loaded ? a.loadedVersion : a.version;
    }
    int p = first;
    statement.setArray(p++, uuids(connection, id));
    statement.setArray(p++, connection.createArrayOf("int8", dp));
    statement.setArray(p++, connection.createArrayOf("int8", dpo));
    statement.setArray(p++, connection.createArrayOf("int8", cp));
    statement.setArray(p++, connection.createArrayOf("int8", cpo));
    statement.setArray(p++, connection.createArrayOf("int8", version));
    return p;
  }

  void updateTransfers(Connection connection, List<StoredTransfer> transfers) throws SQLException {
    if (transfers.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(updateTransfers)) {
      bindChanges(connection, statement, 1, transfers);
      statement.executeUpdate();
    }
  }

  /** Inserts the postings the accounts gathered, all made at {@code now}. */
  void insertPostings(Connection connection, List<AccountState> accounts, Instant now)
      throws SQLException {
    if (accounts.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(insertPostings)) {
      statement.setString(1, now.toString());
      bindPostings(connection, statement, 2, accounts);
      statement.executeUpdate();
    }
  }

  void updateAccounts(Connection connection, List<AccountState> accounts) throws SQLException {
    if (accounts.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(updateAccounts)) {
      bindAccounts(connection, statement, 1, accounts, false);
      statement.executeUpdate();
    }
  }

  /**
   * A uuid[] parameter in PostgreSQL's binary array format: the driver prints uuid arrays as text
   * literals, which the server then parses id by id (uuid_in and array_in were 6 to 8 % of the
   * server's time on the write path in a perf profile). Falls back to the driver's text form on a
   * connection that is not the PostgreSQL driver's.
   */
  static java.sql.Array uuids(Connection connection, @Nullable UUID[] ids) throws SQLException {
    if (!connection.isWrapperFor(BaseConnection.class)) {
      return connection.createArrayOf("uuid", ids);
    }
    int present = 0;
    for (UUID id : ids) {
      if (id != null) {
        present++;
      }
    }
    boolean empty = ids.length == 0;
    ByteBuffer bytes =
        ByteBuffer.allocate(empty ? 12 : 20 + 4 * ids.length + 16 * present); // big-endian
    bytes.putInt(empty ? 0 : 1); // dimensions
    bytes.putInt(present < ids.length ? 1 : 0); // has nulls
    bytes.putInt(Oid.UUID);
    if (!empty) {
      bytes.putInt(ids.length);
      bytes.putInt(1); // lower bound
      for (UUID id : ids) {
        if (id == null) {
          bytes.putInt(-1);
        } else {
          bytes.putInt(16);
          bytes.putLong(id.getMostSignificantBits());
          bytes.putLong(id.getLeastSignificantBits());
        }
      }
    }
    return new PgArray(connection.unwrap(BaseConnection.class), Oid.UUID_ARRAY, bytes.array());
  }

  private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
