package dev.odim.ledger.internal;

import dev.odim.ledger.Balancing;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferCode;
import dev.odim.ledger.TransferKind;
import dev.odim.ledger.TransferResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Applies a batch of transfer requests in one database transaction: loads and locks what they touch
 * (referred transfers, then accounts, each in ascending id order, so that no two batches can
 * deadlock), validates and applies every transfer in memory in order, and writes the outcome with
 * one statement per table. Each transfer gets its own result; a rejected one changes nothing, and a
 * linked chain is undone in memory when one of its transfers fails.
 */
final class BatchApplier {
  private final LedgerSql sql;

  BatchApplier(LedgerSql sql) {
    this.sql = sql;
  }

  /**
   * Applies the requests in order, each a list of transfers whose linked chains must end inside it,
   * and returns one result list per request.
   */
  List<List<TransferResult>> apply(Handle handle, List<List<Transfer>> requests, Instant clockNow)
      throws SQLException {
    // Timestamps are stored with microseconds; use the stored value from the start so that a later
    // EXISTS answers the very timestamp that CREATED did.
    Instant now = clockNow.truncatedTo(ChronoUnit.MICROS);
    // A transfer id that no row holds yet cannot be locked: two transactions (two writers, two
    // processes, or a caller's own) may both create it. The later insert then waits for the
    // earlier one and skips the row; this batch takes back what it inserted and runs again, and
    // finds the transfer as EXISTS.
    for (int attempt = 1; ; attempt++) {
      List<List<TransferResult>> results = tryApply(handle, requests, now);
      if (results != null) {
        return results;
      }
      if (attempt == 5) {
        throw new SQLException(
            "transfer ids kept being created concurrently; gave up after " + attempt + " runs",
            "40001");
      }
    }
  }

  /** One run of {@link #apply}; null when a concurrent transaction created one of its ids. */
  private @Nullable List<List<TransferResult>> tryApply(
      Handle handle, List<List<Transfer>> requests, Instant now) throws SQLException {
    List<Transfer> all = new ArrayList<>();
    List<Integer> lastOfRequest = new ArrayList<>();
    for (List<Transfer> request : requests) {
      all.addAll(request);
      lastOfRequest.add(all.size() - 1);
    }
    int n = all.size();
    TransferResult[] results = new TransferResult[n];
    boolean[] endsRequest = new boolean[n];
    for (int last : lastOfRequest) {
      if (last >= 0) {
        endsRequest[last] = true;
      }
    }
    for (int i = 0; i < n; i++) {
      Transfer t = all.get(i);
      TransferCode invalid = staticCheck(t);
      if (invalid == null && t.linked() && endsRequest[i]) {
        invalid = TransferCode.LINKED_CHAIN_OPEN;
      }
      if (invalid != null) {
        results[i] = new TransferResult.Rejected(t.id(), invalid);
      }
    }

    Connection connection = handle.getConnection();
    Set<UUID> transferIds = new LinkedHashSet<>();
    boolean refersToEarlier = false;
    for (int i = 0; i < n; i++) {
      Transfer t = all.get(i);
      transferIds.add(t.id());
      if (results[i] == null && (t.pendingId() != null || t.reversesId() != null)) {
        refersToEarlier = true;
        addIfPresent(transferIds, t.pendingId());
        addIfPresent(transferIds, t.reversesId());
      }
    }
    Map<UUID, StoredTransfer> stored;
    Map<UUID, AccountState> accounts;
    if (refersToEarlier) {
      // The accounts of a post, void or reversal are those of the transfer it refers to: read
      // the transfers first, then lock their accounts.
      stored = sql.lockTransfers(connection, transferIds);
      accounts = sql.lockAccounts(connection, accountsOf(all, results, stored));
    } else {
      // Every account is named by the requests: both locks in one round trip, in the same order.
      LedgerSql.Locked locked =
          sql.lockTransfersAndAccounts(connection, transferIds, accountsOf(all, results, Map.of()));
      stored = locked.transfers();
      accounts = locked.accounts();
    }
    Set<UUID> sameMetadata = sql.sameMetadata(connection, metadataToCompare(all, stored));

    Batch batch = new Batch(stored, sameMetadata, accounts, now);
    int chainStart = -1;
    for (int i = 0; i < n; i++) {
      Transfer t = all.get(i);
      if (chainStart < 0 && t.linked()) {
        chainStart = i;
      }
      if (results[i] == null) {
        results[i] = batch.apply(t);
      }
      boolean chainOpen = chainStart >= 0;
      if (chainOpen && !results[i].ok()) {
        batch.undoChain();
        int end = i;
        while (all.get(end).linked() && !endsRequest[end]) {
          end++;
        }
        for (int k = chainStart; k <= end; k++) {
          if (k != i) {
            results[k] =
                new TransferResult.Rejected(all.get(k).id(), TransferCode.LINKED_EVENT_FAILED);
          }
        }
        i = end;
        chainStart = -1;
      } else if (!t.linked() || endsRequest[i]) {
        batch.commitChain();
        chainStart = -1;
      }
    }
    batch.commitChain();

    List<StoredTransfer> changed = new ArrayList<>();
    for (StoredTransfer s : stored.values()) {
      if (s.changedSinceLoad()) {
        changed.add(s);
      }
    }
    List<AccountState> touched = new ArrayList<>();
    for (AccountState a : accounts.values()) {
      if (a.changed()) {
        touched.add(a);
      }
    }
    if (!sql.write(connection, batch.created, changed, touched, now)) {
      return null;
    }

    List<List<TransferResult>> perRequest = new ArrayList<>(requests.size());
    int at = 0;
    for (List<Transfer> request : requests) {
      List<TransferResult> list = new ArrayList<>(request.size());
      for (int k = 0; k < request.size(); k++) {
        list.add(results[at++]);
      }
      perRequest.add(list);
    }
    return perRequest;
  }

  /** The accounts the valid requests move money between, directly or through {@code stored}. */
  private static Set<UUID> accountsOf(
      List<Transfer> all, TransferResult[] results, Map<UUID, StoredTransfer> stored) {
    Set<UUID> accountIds = new HashSet<>();
    for (int i = 0; i < all.size(); i++) {
      if (results[i] != null) {
        continue;
      }
      Transfer t = all.get(i);
      addIfPresent(accountIds, t.debitAccountId());
      addIfPresent(accountIds, t.creditAccountId());
      UUID referred = t.pendingId() != null ? t.pendingId() : t.reversesId();
      StoredTransfer other = referred == null ? null : stored.get(referred);
      if (other != null) {
        accountIds.add(other.debitAccountId);
        accountIds.add(other.creditAccountId);
      }
    }
    return accountIds;
  }

  /** Checks that need no database: amounts, codes, shapes, metadata. */
  private static @Nullable TransferCode staticCheck(Transfer t) {
    if (t.code() < 0) {
      return TransferCode.CODE_MUST_NOT_BE_NEGATIVE;
    }
    if (!Metadata.isObject(t.metadata())) {
      return TransferCode.INVALID_METADATA;
    }
    if (t.timeout() != null
        && (t.kind() != TransferKind.PENDING || t.timeout().isNegative() || t.timeout().isZero())) {
      return TransferCode.INVALID_TIMEOUT;
    }
    switch (t.kind()) {
      case IMMEDIATE, PENDING -> {
        if (t.debitAccountId() == null || t.creditAccountId() == null) {
          return TransferCode.ACCOUNT_NOT_FOUND;
        }
        if (t.amount() <= 0) {
          return TransferCode.AMOUNT_MUST_BE_POSITIVE;
        }
        if (t.debitAccountId().equals(t.creditAccountId())) {
          return TransferCode.ACCOUNTS_MUST_BE_DIFFERENT;
        }
        if (t.currency() == null) {
          return TransferCode.CURRENCY_MISMATCH;
        }
        if (t.pendingId() != null || t.reversesId() != null) {
          return TransferCode.ACCOUNTS_NOT_ALLOWED;
        }
      }
      case POST_PENDING, VOID_PENDING, REVERSAL -> {
        if (t.debitAccountId() != null || t.creditAccountId() != null) {
          return TransferCode.ACCOUNTS_NOT_ALLOWED;
        }
        if (t.amount() < 0) {
          return TransferCode.AMOUNT_MUST_BE_POSITIVE;
        }
        if (t.balancing() != Balancing.NONE) {
          return TransferCode.BALANCING_NOT_ALLOWED;
        }
        if (t.kind() == TransferKind.REVERSAL) {
          if (t.reversesId() == null) {
            return TransferCode.TRANSFER_NOT_FOUND;
          }
        } else if (t.pendingId() == null) {
          return TransferCode.PENDING_NOT_FOUND;
        }
      }
    }
    return null;
  }

  /** Requests whose id exists in the table with metadata that differs as text: jsonb decides. */
  private static Map<UUID, String> metadataToCompare(
      List<Transfer> all, Map<UUID, StoredTransfer> stored) {
    Map<UUID, String> compare = new HashMap<>();
    for (Transfer t : all) {
      StoredTransfer s = stored.get(t.id());
      if (s != null && !s.metadata.equals(t.metadata()) && Metadata.isObject(t.metadata())) {
        compare.put(t.id(), t.metadata());
      }
    }
    return compare;
  }

  private static void addIfPresent(Set<UUID> ids, @Nullable UUID id) {
    if (id != null) {
      ids.add(id);
    }
  }

  /** The in-memory state of one batch while its transfers are applied. */
  private static final class Batch {
    private final Map<UUID, StoredTransfer> stored;
    private final Set<UUID> sameMetadata;
    private final Map<UUID, AccountState> accounts;
    private final Instant now;
    final List<StoredTransfer> created = new ArrayList<>();

    /** How to take back what the open linked chain did, newest last. */
    private final List<Runnable> undo = new ArrayList<>();

    Batch(
        Map<UUID, StoredTransfer> stored,
        Set<UUID> sameMetadata,
        Map<UUID, AccountState> accounts,
        Instant now) {
      this.stored = stored;
      this.sameMetadata = sameMetadata;
      this.accounts = accounts;
      this.now = now;
    }

    void commitChain() {
      undo.clear();
    }

    void undoChain() {
      for (int i = undo.size() - 1; i >= 0; i--) {
        undo.get(i).run();
      }
      undo.clear();
    }

    TransferResult apply(Transfer t) {
      StoredTransfer existing = stored.get(t.id());
      if (existing != null) {
        TransferCode difference = difference(t, existing);
        return difference == null
            ? new TransferResult.Exists(t.id(), existing.amount, existing.createdAt)
            : new TransferResult.Rejected(t.id(), difference);
      }
      return switch (t.kind()) {
        case IMMEDIATE, PENDING -> move(t);
        case POST_PENDING, VOID_PENDING -> resolve(t);
        case REVERSAL -> reverse(t);
      };
    }

    private TransferResult move(Transfer t) {
      AccountState debit = accounts.get(Objects.requireNonNull(t.debitAccountId()));
      AccountState credit = accounts.get(Objects.requireNonNull(t.creditAccountId()));
      if (debit == null || credit == null) {
        return rejected(t, TransferCode.ACCOUNT_NOT_FOUND);
      }
      String currency = Objects.requireNonNull(t.currency()).getCurrencyCode();
      if (!debit.currency.equals(currency) || !credit.currency.equals(currency)) {
        return rejected(t, TransferCode.CURRENCY_MISMATCH);
      }
      if (debit.closed || credit.closed) {
        return rejected(t, TransferCode.ACCOUNT_CLOSED);
      }
      long amount = t.amount();
      if (t.balancing() == Balancing.DEBIT) {
        amount =
            Math.min(
                amount,
                Math.max(0, debit.creditsPosted - debit.debitsPosted - debit.debitsPending));
        if (amount == 0) {
          return rejected(t, TransferCode.EXCEEDS_CREDITS);
        }
      } else if (t.balancing() == Balancing.CREDIT) {
        amount =
            Math.min(
                amount,
                Math.max(0, credit.debitsPosted - credit.creditsPosted - credit.creditsPending));
        if (amount == 0) {
          return rejected(t, TransferCode.EXCEEDS_DEBITS);
        }
      }
      boolean pending = t.kind() == TransferKind.PENDING;
      long[] debitDelta = pending ? deltas(amount, 0, 0, 0) : deltas(0, amount, 0, 0);
      long[] creditDelta = pending ? deltas(0, 0, amount, 0) : deltas(0, 0, 0, amount);
      TransferCode refused = changeBoth(t, debit, debitDelta, credit, creditDelta, "transfer");
      if (refused != null) {
        return rejected(t, refused);
      }
      Long timeoutMs = t.timeout() == null ? null : t.timeout().toMillis();
      create(
          new StoredTransfer(
              t.id(),
              t.kind(),
              debit.id,
              credit.id,
              amount,
              t.amount(),
              currency,
              t.code(),
              null,
              null,
              timeoutMs,
              t.timeout() == null ? null : now.plus(t.timeout()),
              pending ? "pending" : null,
              0,
              t.linked(),
              t.balancing(),
              t.metadata(),
              now,
              true));
      return new TransferResult.Created(t.id(), amount, now);
    }

    private TransferResult resolve(Transfer t) {
      StoredTransfer p = stored.get(Objects.requireNonNull(t.pendingId()));
      if (p == null) {
        return rejected(t, TransferCode.PENDING_NOT_FOUND);
      }
      if (p.kind != TransferKind.PENDING) {
        return rejected(t, TransferCode.NOT_PENDING);
      }
      String state = Objects.requireNonNull(p.pendingState);
      switch (state) {
        case "posted" -> {
          return rejected(t, TransferCode.PENDING_ALREADY_POSTED);
        }
        case "voided" -> {
          return rejected(t, TransferCode.PENDING_ALREADY_VOIDED);
        }
        case "expired" -> {
          return rejected(t, TransferCode.PENDING_EXPIRED);
        }
        default -> {
          if (p.timeoutAt != null && !now.isBefore(p.timeoutAt)) {
            return rejected(t, TransferCode.PENDING_EXPIRED);
          }
        }
      }
      if (namesOtherCurrency(t, p.currency)) {
        return rejected(t, TransferCode.CURRENCY_MISMATCH);
      }
      AccountState debit = accounts.get(p.debitAccountId);
      AccountState credit = accounts.get(p.creditAccountId);
      if (debit == null || credit == null) {
        return rejected(t, TransferCode.ACCOUNT_NOT_FOUND);
      }
      boolean post = t.kind() == TransferKind.POST_PENDING;
      long amount = t.amount() == 0 ? p.amount : t.amount();
      if (amount > p.amount || (!post && amount != p.amount)) {
        return rejected(t, TransferCode.EXCEEDS_PENDING_AMOUNT);
      }
      if (post && (debit.closed || credit.closed)) {
        return rejected(t, TransferCode.ACCOUNT_CLOSED);
      }
      long[] debitDelta = deltas(-p.amount, post ? amount : 0, 0, 0);
      long[] creditDelta = deltas(0, 0, -p.amount, post ? amount : 0);
      TransferCode refused =
          changeBoth(t, debit, debitDelta, credit, creditDelta, post ? "post" : "void");
      if (refused != null) {
        return rejected(t, refused);
      }
      String before = p.pendingState;
      p.pendingState = post ? "posted" : "voided";
      undo.add(() -> p.pendingState = before);
      create(
          new StoredTransfer(
              t.id(),
              t.kind(),
              p.debitAccountId,
              p.creditAccountId,
              post ? amount : p.amount,
              t.amount(),
              p.currency,
              t.code() != 0 ? t.code() : p.code,
              p.id,
              null,
              null,
              null,
              null,
              0,
              t.linked(),
              Balancing.NONE,
              t.metadata(),
              now,
              true));
      return new TransferResult.Created(t.id(), post ? amount : p.amount, now);
    }

    private TransferResult reverse(Transfer t) {
      StoredTransfer original = stored.get(Objects.requireNonNull(t.reversesId()));
      if (original == null) {
        return rejected(t, TransferCode.TRANSFER_NOT_FOUND);
      }
      if (original.kind != TransferKind.IMMEDIATE && original.kind != TransferKind.POST_PENDING) {
        return rejected(t, TransferCode.NOT_REVERSIBLE);
      }
      long remaining = original.amount - original.reversedAmount;
      long amount = t.amount() == 0 ? remaining : t.amount();
      if (remaining == 0 || amount > remaining) {
        return rejected(t, TransferCode.EXCEEDS_REVERSIBLE_AMOUNT);
      }
      if (namesOtherCurrency(t, original.currency)) {
        return rejected(t, TransferCode.CURRENCY_MISMATCH);
      }
      AccountState debit = accounts.get(original.creditAccountId);
      AccountState credit = accounts.get(original.debitAccountId);
      if (debit == null || credit == null) {
        return rejected(t, TransferCode.ACCOUNT_NOT_FOUND);
      }
      if (debit.closed || credit.closed) {
        return rejected(t, TransferCode.ACCOUNT_CLOSED);
      }
      TransferCode refused =
          changeBoth(
              t, debit, deltas(0, amount, 0, 0), credit, deltas(0, 0, 0, amount), "transfer");
      if (refused != null) {
        return rejected(t, refused);
      }
      original.reversedAmount += amount;
      undo.add(() -> original.reversedAmount -= amount);
      create(
          new StoredTransfer(
              t.id(),
              TransferKind.REVERSAL,
              debit.id,
              credit.id,
              amount,
              t.amount(),
              original.currency,
              t.code() != 0 ? t.code() : original.code,
              null,
              original.id,
              null,
              null,
              null,
              0,
              t.linked(),
              Balancing.NONE,
              t.metadata(),
              now,
              true));
      return new TransferResult.Created(t.id(), amount, now);
    }

    /** Changes both accounts and records a posting on each, or changes neither. */
    private @Nullable TransferCode changeBoth(
        Transfer t,
        AccountState debit,
        long[] debitDelta,
        AccountState credit,
        long[] creditDelta,
        String event) {
      AccountState.Rejection refused = change(debit, debitDelta);
      if (refused != null) {
        return code(refused);
      }
      refused = change(credit, creditDelta);
      if (refused != null) {
        debit.revert(debitDelta[0], debitDelta[1], debitDelta[2], debitDelta[3]);
        return code(refused);
      }
      debit.post(t.id(), event);
      credit.post(t.id(), event);
      undo.add(
          () -> {
            debit.unpost();
            debit.revert(debitDelta[0], debitDelta[1], debitDelta[2], debitDelta[3]);
            credit.unpost();
            credit.revert(creditDelta[0], creditDelta[1], creditDelta[2], creditDelta[3]);
          });
      return null;
    }

    private static AccountState.@Nullable Rejection change(AccountState account, long[] delta) {
      return account.change(delta[0], delta[1], delta[2], delta[3]);
    }

    private void create(StoredTransfer transfer) {
      // changeBoth has just posted on both accounts: their versions are this transfer's postings.
      transfer.debitVersion = accounts.get(transfer.debitAccountId).version;
      transfer.creditVersion = accounts.get(transfer.creditAccountId).version;
      created.add(transfer);
      stored.put(transfer.id, transfer);
      undo.add(
          () -> {
            created.removeLast();
            stored.remove(transfer.id);
          });
    }

    private @Nullable TransferCode difference(Transfer t, StoredTransfer s) {
      if (t.kind() != s.kind) {
        return TransferCode.EXISTS_WITH_DIFFERENT_KIND;
      }
      if (t.debitAccountId() != null && !t.debitAccountId().equals(s.debitAccountId)) {
        return TransferCode.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT;
      }
      if (t.creditAccountId() != null && !t.creditAccountId().equals(s.creditAccountId)) {
        return TransferCode.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT;
      }
      if (t.amount() != s.requestedAmount) {
        return TransferCode.EXISTS_WITH_DIFFERENT_AMOUNT;
      }
      if (namesOtherCurrency(t, s.currency)) {
        return TransferCode.EXISTS_WITH_DIFFERENT_CURRENCY;
      }
      boolean inherited =
          (t.kind() == TransferKind.POST_PENDING
                  || t.kind() == TransferKind.VOID_PENDING
                  || t.kind() == TransferKind.REVERSAL)
              && t.code() == 0;
      if (!inherited && t.code() != s.code) {
        return TransferCode.EXISTS_WITH_DIFFERENT_CODE;
      }
      if (!Objects.equals(t.pendingId(), s.pendingId)) {
        return TransferCode.EXISTS_WITH_DIFFERENT_PENDING_ID;
      }
      if (!Objects.equals(t.reversesId(), s.reversesId)) {
        return TransferCode.EXISTS_WITH_DIFFERENT_REVERSES_ID;
      }
      Long timeoutMs = t.timeout() == null ? null : t.timeout().toMillis();
      if (!Objects.equals(timeoutMs, s.timeoutMs)) {
        return TransferCode.EXISTS_WITH_DIFFERENT_TIMEOUT;
      }
      if (t.linked() != s.linked || t.balancing() != s.balancing) {
        return TransferCode.EXISTS_WITH_DIFFERENT_FLAGS;
      }
      if (!t.metadata().equals(s.metadata) && (s.isNew || !sameMetadata.contains(t.id()))) {
        return TransferCode.EXISTS_WITH_DIFFERENT_METADATA;
      }
      return null;
    }

    /** Whether the request names a currency, and another one than {@code currency}. */
    private static boolean namesOtherCurrency(Transfer t, String currency) {
      return t.currency() != null && !t.currency().getCurrencyCode().equals(currency);
    }

    private static TransferResult rejected(Transfer t, TransferCode code) {
      return new TransferResult.Rejected(t.id(), code);
    }

    private static TransferCode code(AccountState.Rejection rejection) {
      return switch (rejection) {
        case OVERFLOW -> TransferCode.OVERFLOW;
        case EXCEEDS_CREDITS -> TransferCode.EXCEEDS_CREDITS;
        case EXCEEDS_DEBITS -> TransferCode.EXCEEDS_DEBITS;
      };
    }

    private static long[] deltas(
        long debitsPending, long debitsPosted, long creditsPending, long creditsPosted) {
      return new long[] {debitsPending, debitsPosted, creditsPending, creditsPosted};
    }
  }
}
