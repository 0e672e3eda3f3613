package dev.odim.core.audit.internal;

import dev.odim.core.audit.AuditEntry;
import dev.odim.core.audit.Outcome;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A row as the database holds it, before any checking: what verification hashes. Details may hold
 * null values here (JSON null in a tampered row); the hash then differs and says so.
 */
record StoredRow(
    long seq,
    Instant occurredAt,
    String action,
    @Nullable String actor,
    @Nullable String actorIp,
    @Nullable String requestId,
    @Nullable String target,
    String outcome,
    String summary,
    Map<String, @Nullable String> details,
    byte[] prevHash,
    byte[] hash) {

  /** The columns {@link #read} expects, from {@code audit_log a}. */
  static final String COLUMNS =
      "a.seq, a.occurred_at, a.action, a.actor, a.actor_ip, a.request_id, a.target, a.outcome,"
          + " a.summary, d.detail_keys, d.detail_values, a.prev_hash, a.hash";

  /**
   * Reads the details as two arrays aggregated in one pass over {@code jsonb_each_text}, so keys
   * and values stay paired.
   */
  static final String DETAILS_JOIN =
      " CROSS JOIN LATERAL (SELECT array_agg(e.key) AS detail_keys, array_agg(e.value) AS"
          + " detail_values FROM jsonb_each_text(a.details) e) d";

  static StoredRow read(ResultSet rs) throws SQLException {
    Map<String, @Nullable String> details = new HashMap<>();
    Array keys = rs.getArray("detail_keys");
    Array values = rs.getArray("detail_values");
    if (keys != null && values != null) {
      String[] k = (String[]) keys.getArray();
      String[] v = (String[]) values.getArray();
      for (int i = 0; i < k.length; i++) {
        details.put(k[i], v[i]);
      }
    }
    return new StoredRow(
        rs.getLong("seq"),
        Objects.requireNonNull(rs.getObject("occurred_at", OffsetDateTime.class)).toInstant(),
        rs.getString("action"),
        rs.getString("actor"),
        rs.getString("actor_ip"),
        rs.getString("request_id"),
        rs.getString("target"),
        rs.getString("outcome"),
        rs.getString("summary"),
        details,
        rs.getBytes("prev_hash"),
        rs.getBytes("hash"));
  }

  AuditEntry toEntry() {
    Map<String, String> clean = new HashMap<>();
    details.forEach((k, v) -> clean.put(k, v == null ? "null" : v));
    return new AuditEntry(
        seq,
        occurredAt,
        action,
        actor,
        actorIp,
        requestId,
        target,
        Outcome.fromCode(outcome),
        summary,
        clean,
        HexFormat.of().formatHex(prevHash),
        HexFormat.of().formatHex(hash));
  }

  byte[] recomputedHash() {
    return ChainHash.of(
        prevHash,
        seq,
        occurredAt,
        action,
        actor,
        actorIp,
        requestId,
        target,
        outcome,
        summary,
        details);
  }
}
