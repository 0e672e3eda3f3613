package dev.odim.core.audit.internal;

import dev.odim.core.audit.AuditEntry;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.AuditPage;
import dev.odim.core.audit.AuditQuery;
import dev.odim.core.audit.ChainHead;
import dev.odim.core.audit.ChainVerification;
import dev.odim.core.audit.ChainVerification.Break;
import dev.odim.core.audit.ChainVerification.Reason;
import dev.odim.core.db.Db;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jspecify.annotations.Nullable;

/**
 * The audit log on PostgreSQL.
 *
 * <p>Appends are serialized by locking the one row of {@code audit_chain_head} ({@code SELECT ...
 * FOR UPDATE}), which holds the last seq and hash. Chosen over {@code pg_advisory_xact_lock}
 * because the lock then belongs to this schema's table: two audit logs in two schemas do not block
 * each other, and no advisory key can collide with another library's in the host database. The head
 * row also hands the next append its seq and previous hash without looking for the highest row, and
 * lets verification notice rows removed from the end of the chain. A rolled-back append rolls back
 * its head update too, so seqs stay gap-free.
 */
public final class PostgresAuditLog implements AuditLog {
  private static final int VERIFY_FETCH_SIZE = 500;
  private static final String CURSOR_PREFIX = "audit-seq:";

  private final Db db;
  private final Clock clock;
  private final String lockHead;
  private final String readHead;
  private final String append;
  private final String hashAt;
  private final String rowsFrom;
  private final String table;

  public PostgresAuditLog(Db db, String schema, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    String s = schema + ".";
    this.table = s + "audit_log";
    this.readHead = "SELECT last_seq, last_hash FROM " + s + "audit_chain_head";
    this.lockHead = readHead + " FOR UPDATE";
    // One round trip for the row and the head: the head moves to the row just inserted.
    this.append =
        "WITH appended AS (INSERT INTO "
            + table
            + " (seq, occurred_at, action, actor, actor_ip, request_id, target, outcome, summary,"
            + " details, prev_hash, hash) VALUES (:seq, :occurredAt, :action, :actor, :actorIp,"
            + " :requestId, :target, :outcome, :summary, CAST(:details AS jsonb), :prevHash, :hash)"
            + " RETURNING seq, hash) UPDATE "
            + s
            + "audit_chain_head h SET last_seq = appended.seq, last_hash = appended.hash FROM"
            + " appended";
    this.hashAt = "SELECT hash FROM " + table + " WHERE seq = :seq";
    this.rowsFrom =
        "SELECT "
            + StoredRow.COLUMNS
            + " FROM "
            + table
            + " a"
            + StoredRow.DETAILS_JOIN
            + " WHERE a.seq >= :from AND a.seq <= :to ORDER BY a.seq";
  }

  @Override
  public AuditEntry record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    return db.inTransaction(handle -> append(handle, event));
  }

  @Override
  public AuditEntry record(Handle handle, AuditEvent event) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(event, "event");
    return db.inTransaction(handle, h -> append(h, event));
  }

  private AuditEntry append(Handle handle, AuditEvent event) {
    Head head = handle.createQuery(lockHead).map((rs, ctx) -> Head.read(rs)).one();
    // Read the clock under the lock, so that one clock's times never run backwards along the seq.
    Instant occurredAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
    long seq = Math.addExact(head.seq(), 1);
    String outcome = event.outcome().code();
    byte[] hash =
        ChainHash.of(
            head.hash(),
            seq,
            occurredAt,
            event.action(),
            event.actor(),
            event.actorIp(),
            event.requestId(),
            event.target(),
            outcome,
            event.summary(),
            new LinkedHashMap<>(event.details()));
    int updated =
        handle
            .createUpdate(append)
            .bind("seq", seq)
            .bind("occurredAt", OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC))
            .bind("action", event.action())
            .bind("actor", event.actor())
            .bind("actorIp", event.actorIp())
            .bind("requestId", event.requestId())
            .bind("target", event.target())
            .bind("outcome", outcome)
            .bind("summary", event.summary())
            .bind("details", DetailsJson.write(event.details()))
            .bind("prevHash", head.hash())
            .bind("hash", hash)
            .execute();
    if (updated != 1) {
      throw new IllegalStateException("the audit chain head did not move to seq " + seq);
    }
    HexFormat hex = HexFormat.of();
    return new AuditEntry(
        seq,
        occurredAt,
        event.action(),
        event.actor(),
        event.actorIp(),
        event.requestId(),
        event.target(),
        event.outcome(),
        event.summary(),
        event.details(),
        hex.formatHex(head.hash()),
        hex.formatHex(hash));
  }

  @Override
  public AuditPage query(AuditQuery query) {
    Objects.requireNonNull(query, "query");
    Long before = query.cursor() == null ? null : parseCursor(query.cursor());
    List<StoredRow> rows =
        db.withHandle(
            handle -> select(query, before).on(handle).map((rs, ctx) -> StoredRow.read(rs)).list());
    boolean more = rows.size() > query.limit();
    List<AuditEntry> entries = new ArrayList<>(Math.min(rows.size(), query.limit()));
    for (int i = 0; i < rows.size() && i < query.limit(); i++) {
      entries.add(rows.get(i).toEntry());
    }
    Optional<String> next = more ? Optional.of(cursor(entries.getLast().seq())) : Optional.empty();
    return new AuditPage(entries, next);
  }

  /**
   * The listing query with its binds: one more row than the limit, to know whether a next page
   * exists. Package-private so that a test can check its plans.
   */
  Select select(AuditQuery query, @Nullable Long beforeSeq) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(StoredRow.COLUMNS)
            .append(" FROM ")
            .append(table)
            .append(" a")
            .append(StoredRow.DETAILS_JOIN)
            .append(" WHERE true");
    Map<String, Object> binds = new LinkedHashMap<>();
    if (beforeSeq != null) {
      sql.append(" AND a.seq < :before");
      binds.put("before", beforeSeq);
    }
    if (query.action() != null) {
      sql.append(" AND a.action = :action");
      binds.put("action", query.action());
    }
    if (query.actionPrefix() != null) {
      // The action itself, or the range of actions under it: "payment." <= a < "payment/" ('/'
      // follows '.'), compared byte-wise (the column is COLLATE "C"), so an index range scan.
      String prefix = query.actionPrefix();
      sql.append(" AND (a.action = :prefix OR (a.action > :prefixLow AND a.action < :prefixHigh))");
      binds.put("prefix", prefix);
      binds.put("prefixLow", prefix + ".");
      binds.put("prefixHigh", prefix + "/");
    }
    if (query.actor() != null) {
      sql.append(" AND a.actor = :actor");
      binds.put("actor", query.actor());
    }
    if (query.target() != null) {
      sql.append(" AND a.target = :target");
      binds.put("target", query.target());
    }
    if (query.outcome() != null) {
      sql.append(" AND a.outcome = :outcome");
      binds.put("outcome", query.outcome().code());
    }
    if (query.from() != null) {
      sql.append(" AND a.occurred_at >= :from");
      binds.put("from", OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
    }
    if (query.to() != null) {
      sql.append(" AND a.occurred_at < :to");
      binds.put("to", OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
    }
    sql.append(" ORDER BY a.seq DESC LIMIT :limit");
    binds.put("limit", query.limit() + 1);
    return new Select(sql.toString(), binds);
  }

  /** A listing statement and its named binds. */
  record Select(String sql, Map<String, Object> binds) {
    Query on(Handle handle) {
      return bindAll(handle.createQuery(sql));
    }

    Query bindAll(Query query) {
      binds.forEach(query::bind);
      return query;
    }
  }

  static String cursor(long seq) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((CURSOR_PREFIX + seq).getBytes(StandardCharsets.UTF_8));
  }

  static long parseCursor(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(CURSOR_PREFIX)) {
        long seq = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
        if (seq >= 1) {
          return seq;
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the one message below (NumberFormatException is one of these)
    }
    throw new IllegalArgumentException("not an audit cursor: \"" + cursor + "\"");
  }

  @Override
  public ChainHead head() {
    Head head = db.withHandle(h -> h.createQuery(readHead).map((rs, ctx) -> Head.read(rs)).one());
    return new ChainHead(head.seq(), HexFormat.of().formatHex(head.hash()));
  }

  @Override
  public ChainVerification verifyChain() {
    return verify(1, Long.MAX_VALUE, true);
  }

  @Override
  public ChainVerification verifyChain(long fromSeq, long toSeq) {
    if (fromSeq < 1 || toSeq < fromSeq) {
      throw new IllegalArgumentException(
          "need 1 <= fromSeq <= toSeq, were " + fromSeq + " and " + toSeq);
    }
    return verify(fromSeq, toSeq, false);
  }

  /**
   * One repeatable-read transaction: the head and every row come from the same snapshot, so appends
   * committed meanwhile are neither half-seen nor mistaken for inserted rows, and the rows stream
   * through a server-side cursor ({@link #VERIFY_FETCH_SIZE} at a time) instead of being loaded at
   * once.
   */
  private ChainVerification verify(long fromSeq, long toSeq, boolean wholeChain) {
    return db.inTransaction(
        TransactionIsolationLevel.REPEATABLE_READ,
        handle -> {
          Head head = handle.createQuery(readHead).map((rs, ctx) -> Head.read(rs)).one();
          byte[] anchor =
              fromSeq == 1
                  ? ChainHash.GENESIS
                  : handle
                      .createQuery(hashAt)
                      .bind("seq", fromSeq - 1)
                      .mapTo(byte[].class)
                      .findOne()
                      .orElse(null);
          Verifier verifier = new Verifier(fromSeq, head, anchor);
          try (ResultIterator<StoredRow> rows =
              handle
                  .createQuery(rowsFrom)
                  .bind("from", fromSeq)
                  .bind("to", toSeq)
                  .setFetchSize(VERIFY_FETCH_SIZE)
                  .map((rs, ctx) -> StoredRow.read(rs))
                  .iterator()) {
            rows.forEachRemaining(verifier::check);
          }
          long lastExpected = wholeChain ? head.seq() : Math.min(toSeq, head.seq());
          return verifier.finish(lastExpected, wholeChain ? head.seq() : toSeq, wholeChain);
        });
  }

  /** Walks the rows in seq order and collects the breaks. */
  private static final class Verifier {
    private final long fromSeq;
    private final Head head;
    private final List<Break> breaks = new ArrayList<>();
    private boolean moreBreaks;
    private long rowsChecked;
    private long expectedSeq;
    private byte @Nullable [] previousHash;
    private byte @Nullable [] lastHash;
    private long lastSeq;

    Verifier(long fromSeq, Head head, byte @Nullable [] anchor) {
      this.fromSeq = fromSeq;
      this.head = head;
      this.expectedSeq = fromSeq;
      this.previousHash = anchor;
    }

    void check(StoredRow row) {
      rowsChecked++;
      long seq = row.seq();
      if (seq > head.seq()) {
        add(
            seq,
            Reason.UNEXPECTED,
            "row " + seq + " lies past the chain head (seq " + head.seq() + "): inserted");
      } else {
        if (seq > expectedSeq) {
          add(expectedSeq, Reason.MISSING, range(expectedSeq, seq - 1) + " missing: removed");
          // the gap is the finding; the next row's prev_hash cannot match a row that is gone
          previousHash = null;
        }
        if (previousHash != null && !Arrays.equals(previousHash, row.prevHash())) {
          add(
              seq,
              Reason.PREV_HASH_MISMATCH,
              "row "
                  + seq
                  + "'s prev_hash is not the hash of row "
                  + (seq - 1)
                  + ": a row was replaced or inserted before it");
        }
        if (!Arrays.equals(row.recomputedHash(), row.hash())) {
          add(seq, Reason.ALTERED, "row " + seq + "'s fields do not match its hash: altered");
        }
      }
      previousHash = row.hash();
      lastHash = row.hash();
      lastSeq = seq;
      expectedSeq = seq + 1;
    }

    ChainVerification finish(long lastExpected, long toSeq, boolean wholeChain) {
      if (expectedSeq <= lastExpected) {
        add(
            expectedSeq,
            Reason.MISSING,
            range(expectedSeq, lastExpected) + " missing: removed from the end");
      }
      if (wholeChain
          && head.seq() > 0
          && lastSeq == head.seq()
          && lastHash != null
          && !Arrays.equals(lastHash, head.hash())) {
        add(
            head.seq(),
            Reason.HEAD_MISMATCH,
            "the chain head holds another hash for row "
                + head.seq()
                + ": the row or the head was rewritten");
      }
      return new ChainVerification(fromSeq, toSeq, rowsChecked, breaks, moreBreaks);
    }

    private void add(long seq, Reason reason, String detail) {
      if (breaks.size() < ChainVerification.MAX_BREAKS) {
        breaks.add(new Break(seq, reason, detail));
      } else {
        moreBreaks = true;
      }
    }

    private static String range(long from, long to) {
      return from == to ? "row " + from + " is" : "rows " + from + " to " + to + " are";
    }
  }

  private record Head(long seq, byte[] hash) {
    static Head read(java.sql.ResultSet rs) throws java.sql.SQLException {
      return new Head(rs.getLong("last_seq"), rs.getBytes("last_hash"));
    }
  }
}
