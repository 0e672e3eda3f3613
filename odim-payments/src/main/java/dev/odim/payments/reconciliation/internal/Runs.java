package dev.odim.payments.reconciliation.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.db.Db;
import dev.odim.payments.reconciliation.Category;
import dev.odim.payments.reconciliation.ReconciliationException;
import dev.odim.payments.reconciliation.RunPage;
import dev.odim.payments.reconciliation.RunQuery;
import dev.odim.payments.reconciliation.RunRecord;
import dev.odim.payments.reconciliation.RunStatus;
import dev.odim.payments.reconciliation.RunTrigger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** The {@code reconciliation_runs} table: claiming a run, its progress and its outcome. */
public final class Runs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Db db;
  private final String table;
  private final String staging;

  Runs(Db db, String schema) {
    this.db = db;
    this.table = schema + ".reconciliation_runs";
    this.staging = schema + ".reconciliation_provider_records";
  }

  /**
   * A run this instance holds the lease of, as it stood when claimed.
   *
   * @param attempts this attempt's number: every write checks it, so an attempt whose lease ran out
   *     and was taken over cannot write over its successor
   */
  record Claimed(
      UUID id,
      String key,
      RunTrigger trigger,
      Instant from,
      Instant to,
      int attempts,
      String phase,
      int transactionPages,
      int transferPages,
      boolean transactionsDone,
      boolean transfersDone) {}

  /**
   * Creates the run under {@code key}, or takes over one that failed or whose lease ran out; empty
   * when it succeeded already or another attempt holds it. A run taken over keeps its window.
   */
  Optional<Claimed> claim(
      String key, RunTrigger trigger, Instant from, Instant to, Instant now, Instant leaseUntil) {
    return db.inTransaction(
        h -> {
          Optional<Claimed> created =
              h.createQuery(
                      "INSERT INTO "
                          + table
                          + " (id, run_key, trigger, window_from, window_to, status, phase,"
                          + " attempts, lease_until, started_at) VALUES (:id, :key, :trigger,"
                          + " :from, :to, 'running', 'fetching', 1, :lease, :now)"
                          + " ON CONFLICT (run_key) DO NOTHING RETURNING *")
                  .bind("id", UUID.randomUUID())
                  .bind("key", key)
                  .bind("trigger", trigger.wireName())
                  .bind("from", from)
                  .bind("to", to)
                  .bind("lease", leaseUntil)
                  .bind("now", now)
                  .map((rs, c) -> claimed(rs))
                  .findOne();
          if (created.isPresent()) {
            return created;
          }
          return h.createQuery(
                  "UPDATE "
                      + table
                      + " SET status = 'running', attempts = attempts + 1, lease_until = :lease,"
                      + " error = '', finished_at = NULL, duration_ms = NULL"
                      + " WHERE run_key = :key AND (status = 'failed'"
                      + " OR (status = 'running' AND lease_until < :now)) RETURNING *")
              .bind("key", key)
              .bind("lease", leaseUntil)
              .bind("now", now)
              .map((rs, c) -> claimed(rs))
              .findOne();
        });
  }

  /** Records one more page copied, and renews the lease. */
  void progress(Handle h, Claimed run, String kind, int page, boolean last, Instant leaseUntil) {
    String pages = kind.equals("transaction") ? "transaction_pages" : "transfer_pages";
    String done = kind.equals("transaction") ? "transactions_done" : "transfers_done";
    own(
        h.createUpdate(
                "UPDATE "
                    + table
                    + " SET "
                    + pages
                    + " = :page, "
                    + done
                    + " = :last, lease_until = :lease WHERE id = :id AND attempts = :attempt"
                    + " AND status = 'running'")
            .bind("page", page)
            .bind("last", last)
            .bind("lease", leaseUntil)
            .bind("id", run.id())
            .bind("attempt", run.attempts())
            .execute(),
        run);
  }

  /** Records the classification's counts: from here a resumed run only repairs. */
  void repairing(Claimed run, Map<Category, Long> counts, Instant leaseUntil) {
    db.useTransaction(
        h ->
            own(
                h.createUpdate(
                        "UPDATE "
                            + table
                            + " SET phase = 'repairing', counts = CAST(:counts AS jsonb),"
                            + " lease_until = :lease WHERE id = :id AND attempts = :attempt"
                            + " AND status = 'running'")
                    .bind("counts", countsJson(counts))
                    .bind("lease", leaseUntil)
                    .bind("id", run.id())
                    .bind("attempt", run.attempts())
                    .execute(),
                run));
  }

  /** Adds repairs made, and renews the lease. */
  void repaired(Handle h, Claimed run, long repaired, Instant leaseUntil) {
    own(
        h.createUpdate(
                "UPDATE "
                    + table
                    + " SET repaired = repaired + :n, lease_until = :lease WHERE id = :id"
                    + " AND attempts = :attempt AND status = 'running'")
            .bind("n", repaired)
            .bind("lease", leaseUntil)
            .bind("id", run.id())
            .bind("attempt", run.attempts())
            .execute(),
        run);
  }

  /** Marks the run succeeded (with the drift count) and drops its staging rows. */
  RunRecord succeed(Claimed run, long drift, Instant now, long durationMs) {
    return db.inTransaction(
        h -> {
          h.createUpdate("DELETE FROM " + staging + " WHERE run_id = :id")
              .bind("id", run.id())
              .execute();
          return h.createQuery(
                  "UPDATE "
                      + table
                      + " SET status = 'succeeded', phase = 'done', lease_until = NULL,"
                      + " finished_at = :now, duration_ms = :ms, counts = CASE WHEN :drift > 0"
                      + " THEN counts || jsonb_build_object('ledger_drift', :drift) ELSE counts"
                      + " END WHERE id = :id AND attempts = :attempt AND status = 'running'"
                      + " RETURNING *")
              .bind("now", now)
              .bind("ms", durationMs)
              .bind("drift", drift)
              .bind("id", run.id())
              .bind("attempt", run.attempts())
              .map((rs, c) -> record(rs))
              .findOne()
              .orElseThrow(() -> lost(run));
        });
  }

  /** Marks the run failed; its progress stays for the next attempt. */
  RunRecord fail(Claimed run, String error, Instant now, long durationMs) {
    return db.inTransaction(
        h ->
            h.createQuery(
                    "UPDATE "
                        + table
                        + " SET status = 'failed', error = :error, lease_until = NULL,"
                        + " finished_at = :now, duration_ms = :ms WHERE id = :id"
                        + " AND attempts = :attempt AND status = 'running' RETURNING *")
                .bind("error", error)
                .bind("now", now)
                .bind("ms", durationMs)
                .bind("id", run.id())
                .bind("attempt", run.attempts())
                .map((rs, c) -> record(rs))
                .findOne()
                // another attempt took the run over: report it as it stands
                .orElseGet(() -> byKey(run.key()).orElseThrow()));
  }

  /** The run under {@code key}. */
  public Optional<RunRecord> byKey(String key) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM " + table + " WHERE run_key = :key")
                .bind("key", key)
                .map((rs, c) -> record(rs))
                .findOne());
  }

  /** The run with this id. */
  public Optional<RunRecord> byId(UUID id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM " + table + " WHERE id = :id")
                .bind("id", id)
                .map((rs, c) -> record(rs))
                .findOne());
  }

  /** A page of runs, newest first. */
  public RunPage list(RunQuery query) {
    Cursor after = query.cursor() == null ? null : Cursor.parse(query.cursor());
    List<RunRecord> found =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM "
                            + table
                            + " WHERE (CAST(:status AS text) IS NULL OR status = :status)"
                            + " AND (CAST(:at AS timestamptz) IS NULL"
                            + " OR (started_at, id) < (CAST(:at AS timestamptz), CAST(:id AS uuid)))"
                            + " ORDER BY started_at DESC, id DESC LIMIT :limit")
                    .bind("status", query.status() == null ? null : query.status().wireName())
                    .bind("at", after == null ? null : after.at())
                    .bind("id", after == null ? null : after.id())
                    .bind("limit", query.limit() + 1)
                    .map((rs, c) -> record(rs))
                    .list());
    if (found.size() <= query.limit()) {
      return new RunPage(found, null);
    }
    RunRecord last = found.get(query.limit() - 1);
    return new RunPage(
        found.subList(0, query.limit()), new Cursor(last.startedAt(), last.id()).toString());
  }

  private static void own(int updated, Claimed run) {
    if (updated != 1) {
      throw lost(run);
    }
  }

  private static ReconciliationException lost(Claimed run) {
    return new ReconciliationException(
        "run " + run.id() + ": attempt " + run.attempts() + " lost its lease to another attempt");
  }

  private static Claimed claimed(ResultSet rs) throws SQLException {
    return new Claimed(
        rs.getObject("id", UUID.class),
        rs.getString("run_key"),
        RunTrigger.fromWireName(rs.getString("trigger")),
        rs.getTimestamp("window_from").toInstant(),
        rs.getTimestamp("window_to").toInstant(),
        rs.getInt("attempts"),
        rs.getString("phase"),
        rs.getInt("transaction_pages"),
        rs.getInt("transfer_pages"),
        rs.getBoolean("transactions_done"),
        rs.getBoolean("transfers_done"));
  }

  static RunRecord record(ResultSet rs) throws SQLException {
    Timestamp finished = rs.getTimestamp("finished_at");
    long ms = rs.getLong("duration_ms");
    boolean hasDuration = !rs.wasNull();
    return new RunRecord(
        rs.getObject("id", UUID.class),
        RunTrigger.fromWireName(rs.getString("trigger")),
        false,
        rs.getTimestamp("window_from").toInstant(),
        rs.getTimestamp("window_to").toInstant(),
        RunStatus.fromWireName(rs.getString("status")),
        rs.getInt("attempts"),
        counts(rs.getString("counts")),
        rs.getInt("repaired"),
        rs.getTimestamp("started_at").toInstant(),
        finished == null ? null : finished.toInstant(),
        hasDuration ? Duration.ofMillis(ms) : null,
        rs.getString("error"));
  }

  private static Map<Category, Long> counts(String json) {
    try {
      Map<String, Long> raw = JSON.readValue(json, new TypeReference<Map<String, Long>>() {});
      Map<Category, Long> counts = new EnumMap<>(Category.class);
      raw.forEach((k, v) -> counts.put(Category.fromWireName(k), v));
      return counts;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored run counts are not JSON: " + json, e);
    }
  }

  private static String countsJson(Map<Category, Long> counts) {
    Map<String, Long> raw = new LinkedHashMap<>();
    counts.forEach((k, v) -> raw.put(k.wireName(), v));
    try {
      return JSON.writeValueAsString(raw);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
