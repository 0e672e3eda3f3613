package dev.odim.bench.ledger;

import dev.odim.bench.Load;
import dev.odim.core.db.Db;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The physical floor under the batch scenario: the rows the ledger writes for a transfer (one
 * transfer row, a posting on each account, the two account rows updated) written into the ledger's
 * own tables, with their constraints, foreign keys and indexes, by plain {@code COPY} (the account
 * updates by one {@code UPDATE ... FROM unnest}) in transactions of {@value #TRANSFERS} transfers,
 * with durable commits. There is no ledger logic: no locks, no lookups, no validation. Each worker
 * owns a quarter of the accounts and keeps their balances in memory, so no two transactions wait
 * for each other and the rows still add up ({@code verify()} checks them after the run). It
 * measures what PostgreSQL itself can write on the machine, to compare the ledger against.
 */
final class CopyFloor {
  static final int TRANSFERS = 1_000;
  private static final long SEED = 0xF100_12L;

  private final Db db;
  private final String schema;
  private final UUID[] accounts;
  private final int workers;
  private final int perWorker;
  private final long[] debitsPosted;
  private final long[] creditsPosted;
  private final long[] version;
  private final SplittableRandom[] randoms;
  private final LongAdder acknowledged = new LongAdder();
  private final String updateAccounts;

  CopyFloor(Db db, String schema, UUID[] accounts, int workers) {
    this.db = db;
    this.schema = schema;
    this.accounts = accounts;
    this.workers = workers;
    this.perWorker = Mix.ACCOUNTS / workers;
    this.debitsPosted = new long[accounts.length];
    this.creditsPosted = new long[accounts.length];
    this.version = new long[accounts.length];
    this.randoms = new SplittableRandom[workers];
    for (int w = 0; w < workers; w++) {
      randoms[w] = new SplittableRandom(SEED + w);
    }
    this.updateAccounts =
        "UPDATE "
            + schema
            + ".accounts a SET debits_posted = r.dpo, credits_posted = r.cpo, version = r.v"
            + " FROM unnest(?::uuid[], ?::bigint[], ?::bigint[], ?::bigint[]) AS r(id, dpo, cpo, v)"
            + " WHERE a.id = r.id";
  }

  /** Transfers committed so far. */
  long acknowledged() {
    return acknowledged.sum();
  }

  /** One transaction of {@value #TRANSFERS} transfers per call, on the worker's own accounts. */
  Load.Operation operation() {
    return (worker, sequence) -> {
      if (worker >= workers) {
        throw new IllegalStateException("worker " + worker + " has no accounts");
      }
      write(worker);
      acknowledged.add(TRANSFERS);
    };
  }

  private void write(int worker) throws SQLException {
    SplittableRandom random = randoms[worker];
    int first = worker * perWorker;
    String now = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
    // The accounts' new state, kept apart until the commit: a failed transaction changes nothing.
    Map<Integer, long[]> touched = new HashMap<>();
    StringBuilder transfers = new StringBuilder(TRANSFERS * 200);
    StringBuilder postings = new StringBuilder(TRANSFERS * 2 * 150);
    for (int i = 0; i < TRANSFERS; i++) {
      int debit = first + random.nextInt(perWorker);
      int other = first + random.nextInt(perWorker - 1);
      int credit = other >= debit ? other + 1 : other;
      long amount = 1 + random.nextInt(10_000);
      UUID id = Ids.transfer();
      long[] d = touched.computeIfAbsent(debit, this::state);
      long[] c = touched.computeIfAbsent(credit, this::state);
      d[0] += amount;
      d[2]++;
      c[1] += amount;
      c[2]++;
      transfers
          .append(id)
          .append("\timmediate\t")
          .append(accounts[debit])
          .append('\t')
          .append(accounts[credit])
          .append('\t')
          .append(amount)
          .append('\t')
          .append(amount)
          .append("\tNGN\t1\t\\N\t\\N\t\\N\t\\N\t\\N\t0\tf\tnone\t{}\t")
          .append(now)
          .append('\t')
          .append(d[2])
          .append('\t')
          .append(c[2])
          .append('\n');
      posting(postings, accounts[debit], d, id, now);
      posting(postings, accounts[credit], c, id, now);
    }
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        copy.copyIn(
            "COPY "
                + schema
                + ".transfers (id, kind, debit_account_id, credit_account_id, amount,"
                + " requested_amount, currency, code, pending_id, reverses_id, timeout_ms,"
                + " timeout_at, pending_state, reversed_amount, linked, balancing, metadata,"
                + " created_at, debit_version, credit_version) FROM STDIN",
            new StringReader(transfers.toString()));
        copy.copyIn(
            "COPY "
                + schema
                + ".postings (account_id, version, transfer_id, event, debits_pending,"
                + " debits_posted, credits_pending, credits_posted, created_at) FROM STDIN",
            new StringReader(postings.toString()));
        int n = touched.size();
        UUID[] ids = new UUID[n];
        Long[] dpo = new Long[n];
        Long[] cpo = new Long[n];
        Long[] v = new Long[n];
        int i = 0;
        for (Map.Entry<Integer, long[]> e : touched.entrySet()) {
          ids[i] = accounts[e.getKey()];
          dpo[i] = e.getValue()[0];
          cpo[i] = e.getValue()[1];
          v[i] = e.getValue()[2];
          i++;
        }
        try (PreparedStatement update = connection.prepareStatement(updateAccounts)) {
          update.setArray(1, connection.createArrayOf("uuid", ids));
          update.setArray(2, connection.createArrayOf("int8", dpo));
          update.setArray(3, connection.createArrayOf("int8", cpo));
          update.setArray(4, connection.createArrayOf("int8", v));
          update.executeUpdate();
        }
        connection.commit();
      } catch (SQLException | java.io.IOException | RuntimeException e) {
        connection.rollback();
        throw e instanceof SQLException sql ? sql : new SQLException(e);
      } finally {
        connection.setAutoCommit(true);
      }
    }
    for (Map.Entry<Integer, long[]> e : touched.entrySet()) {
      int account = e.getKey();
      debitsPosted[account] = e.getValue()[0];
      creditsPosted[account] = e.getValue()[1];
      version[account] = e.getValue()[2];
    }
  }

  private long[] state(int account) {
    return new long[] {debitsPosted[account], creditsPosted[account], version[account]};
  }

  private static void posting(StringBuilder out, UUID account, long[] state, UUID id, String now) {
    out.append(account)
        .append('\t')
        .append(state[2])
        .append('\t')
        .append(id)
        .append("\ttransfer\t0\t")
        .append(state[0])
        .append("\t0\t")
        .append(state[1])
        .append('\t')
        .append(now)
        .append('\n');
  }
}
