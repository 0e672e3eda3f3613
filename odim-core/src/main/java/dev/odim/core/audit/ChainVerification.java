package dev.odim.core.audit;

import java.util.List;

/**
 * What {@link AuditLog#verifyChain()} found: every row's hash recomputed from the database and
 * compared with the chain.
 *
 * @param fromSeq the first seq checked
 * @param toSeq the last seq checked (the chain head's seq for a whole-chain check)
 * @param rowsChecked how many rows were read and recomputed
 * @param breaks the places where the chain is broken, in seq order; at most {@link #MAX_BREAKS}
 * @param moreBreaks true when there were more breaks than listed
 */
public record ChainVerification(
    long fromSeq, long toSeq, long rowsChecked, List<Break> breaks, boolean moreBreaks) {

  /** The most breaks listed, so that a badly damaged log still gives a small answer. */
  public static final int MAX_BREAKS = 1000;

  public ChainVerification {
    breaks = List.copyOf(breaks);
  }

  /** True when every row checked is intact and in place. */
  public boolean ok() {
    return breaks.isEmpty();
  }

  /** Why a row breaks the chain. */
  public enum Reason {
    /** The row's stored hash is not the hash of its fields: the row was changed. */
    ALTERED,
    /** Rows with these seqs are missing: they were removed. */
    MISSING,
    /**
     * The row's {@code prev_hash} is not the hash of the row before it: a row was inserted or
     * replaced in front of it, or the chain was rewritten from here.
     */
    PREV_HASH_MISMATCH,
    /** The row lies past the chain head: it was inserted without the library. */
    UNEXPECTED,
    /**
     * The chain head records another hash for the last row: the last row was replaced (hashes and
     * all), or the head was changed.
     */
    HEAD_MISMATCH
  }

  /**
   * One place where the chain is broken.
   *
   * @param seq the seq of the broken row (for {@link Reason#MISSING}, the first missing seq)
   * @param reason what is wrong
   * @param detail a sentence for the person investigating
   */
  public record Break(long seq, Reason reason, String detail) {}
}
