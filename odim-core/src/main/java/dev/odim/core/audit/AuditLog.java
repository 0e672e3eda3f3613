package dev.odim.core.audit;

import dev.odim.core.db.Db;
import org.jdbi.v3.core.Handle;

/**
 * The append-only, hash-chained audit log, in its own PostgreSQL schema.
 *
 * <pre>{@code
 * AuditLog audit = AuditLog.builder(db).clock(clock).build();
 *
 * db.inTransaction(handle -> {                    // the transition and its audit row commit together
 *   payments.markSucceeded(handle, reference);
 *   audit.record(handle, AuditEvent.builder("payment.succeeded")
 *       .actor("system").target("payment:" + reference).requestId(requestId)
 *       .summary("Payment " + reference + " succeeded for " + Mask.email(payerEmail))
 *       .build());
 *   return null;
 * });
 * }</pre>
 *
 * <p>Appends are serialized on the chain head row, so rows from every thread, connection and
 * process form one chain, numbered 1, 2, 3, ... with no gaps (a rolled-back append leaves none). In
 * a caller's transaction the head stays locked until that transaction ends: record audit events
 * last, just before the commit, to keep other appends waiting as briefly as possible. The database
 * refuses UPDATE, DELETE and TRUNCATE of audit rows; {@link #verifyChain()} finds rows changed,
 * removed or inserted by someone who got past that.
 *
 * <p>Built once, immutable and safe to share between threads.
 */
public interface AuditLog {

  /** Starts configuring an audit log on {@code db}. */
  static AuditLogBuilder builder(Db db) {
    return new AuditLogBuilder(db);
  }

  /** Appends {@code event} in a transaction of its own and returns the stored row. */
  AuditEntry record(AuditEvent event);

  /**
   * Appends {@code event} in the caller's transaction: it is stored if and only if that transaction
   * commits. The caller's transaction must run at read committed (PostgreSQL's default); at a
   * stricter level a concurrent append makes it fail with a serialization error, which the caller
   * retries.
   */
  AuditEntry record(Handle handle, AuditEvent event);

  /** One page of entries matching {@code query}, newest first. */
  AuditPage query(AuditQuery query);

  /** The end of the chain, to copy somewhere else as an anchor (see {@link ChainHead}). */
  ChainHead head();

  /**
   * Recomputes every row's hash from the database and checks the whole chain, up to the head,
   * reading rows in pages from one consistent snapshot (memory stays small however long the log).
   */
  ChainVerification verifyChain();

  /**
   * {@link #verifyChain()} for the rows {@code fromSeq} to {@code toSeq}, inclusive; row {@code
   * fromSeq - 1} anchors the first row's {@code prev_hash}.
   *
   * @throws IllegalArgumentException unless {@code 1 <= fromSeq <= toSeq}
   */
  ChainVerification verifyChain(long fromSeq, long toSeq);
}
