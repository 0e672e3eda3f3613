package dev.odim.bench.ledger;

import dev.odim.bench.Load;
import dev.odim.core.db.Db;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * The same transfers done the naive way, as the baseline: one transaction per transfer that locks
 * both account rows ({@code SELECT ... FOR UPDATE}, in ascending id order so that two transfers
 * never deadlock), updates both balances and inserts the transfer row, through the same {@link
 * Db#inTransaction} the ledger uses. Each mix gets its own schema, so that its checks and counts
 * see only its own rows.
 */
final class NaiveSql {
  private final Db db;
  private final String schema;
  private final UUID[] accounts;
  private final String lock;
  private final String debit;
  private final String credit;
  private final String insert;
  private final LongAdder acknowledged = new LongAdder();

  NaiveSql(Db db, String schema, UUID[] accounts) {
    this.db = db;
    this.schema = schema;
    this.accounts = accounts;
    this.lock =
        "SELECT id, balance FROM " + schema + ".accounts WHERE id IN (?, ?) ORDER BY id FOR UPDATE";
    this.debit = "UPDATE " + schema + ".accounts SET balance = balance - ? WHERE id = ?";
    this.credit = "UPDATE " + schema + ".accounts SET balance = balance + ? WHERE id = ?";
    this.insert =
        "INSERT INTO "
            + schema
            + ".transfers (id, debit_account_id, credit_account_id, amount, created_at)"
            + " VALUES (?, ?, ?, ?, now())";
  }

  /** Drops and creates the schema with its two tables and every account at balance 0. */
  void create() {
    db.useTransaction(
        h -> {
          h.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
          h.execute("CREATE SCHEMA " + schema);
          h.execute(
              "CREATE TABLE "
                  + schema
                  + ".accounts (id uuid PRIMARY KEY, balance bigint NOT NULL DEFAULT 0)");
          h.execute(
              "CREATE TABLE "
                  + schema
                  + ".transfers (id uuid PRIMARY KEY, debit_account_id uuid NOT NULL,"
                  + " credit_account_id uuid NOT NULL, amount bigint NOT NULL,"
                  + " created_at timestamptz NOT NULL)");
          h.createUpdate("INSERT INTO " + schema + ".accounts (id) SELECT unnest(:ids)")
              .bindArray("ids", UUID.class, (Object[]) accounts)
              .execute();
        });
    db.withHandle(h -> h.execute("ANALYZE " + schema + ".accounts"));
  }

  /** One transfer per call, drawn by the worker's picker. */
  Load.Operation operation(Mix.Picker[] pickers) {
    return (worker, sequence) -> {
      Mix.Picker p = pickers[worker];
      p.next();
      UUID from = accounts[p.debit];
      UUID to = accounts[p.credit];
      long amount = p.amount;
      UUID id = Ids.transfer();
      boolean fromFirst = Ids.before(from, to);
      db.useTransaction(
          h -> {
            int locked =
                h.createQuery(lock)
                    .bind(0, fromFirst ? from : to)
                    .bind(1, fromFirst ? to : from)
                    .mapToMap()
                    .list()
                    .size();
            if (locked != 2) {
              throw new IllegalStateException("locked " + locked + " accounts, expected 2");
            }
            h.createUpdate(debit).bind(0, amount).bind(1, from).execute();
            h.createUpdate(credit).bind(0, amount).bind(1, to).execute();
            h.createUpdate(insert).bind(0, id).bind(1, from).bind(2, to).bind(3, amount).execute();
          });
      acknowledged.increment();
    };
  }

  /** Transfers acknowledged to a caller so far (committed, as far as the caller knows). */
  long acknowledged() {
    return acknowledged.sum();
  }

  /** Transfer rows in the table, counted there. */
  long transfersInTable() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM " + schema + ".transfers").mapTo(Long.class).one());
  }

  /**
   * Broken invariants, counted in SQL: balances that do not sum to zero (every debit has its
   * credit), and each account whose balance differs from the sum of its transfers.
   */
  long violations() {
    return db.withHandle(
        h -> {
          long unbalanced =
              h.createQuery(
                      "SELECT count(*) FROM (SELECT sum(balance) AS s FROM "
                          + schema
                          + ".accounts) t WHERE s <> 0")
                  .mapTo(Long.class)
                  .one();
          long mismatched =
              h.createQuery(
                      "SELECT count(*) FROM "
                          + schema
                          + ".accounts a LEFT JOIN (SELECT account_id, sum(delta) AS s FROM ("
                          + "SELECT credit_account_id AS account_id, amount AS delta FROM "
                          + schema
                          + ".transfers UNION ALL SELECT debit_account_id, -amount FROM "
                          + schema
                          + ".transfers) d GROUP BY account_id) t ON t.account_id = a.id"
                          + " WHERE a.balance <> coalesce(t.s, 0)")
                  .mapTo(Long.class)
                  .one();
          return unbalanced + mismatched;
        });
  }

  /** The schema's name, for progress lines. */
  String schema() {
    return schema;
  }
}
