package dev.odim.ledger;

/** What a transfer does. */
public enum TransferKind {
  /** Moves the amount at once. */
  IMMEDIATE,
  /** Holds the amount as pending on both accounts until posted, voided or timed out. */
  PENDING,
  /** Posts a pending transfer, in full or in part; the rest of the hold is released. */
  POST_PENDING,
  /** Releases a pending transfer's hold; nothing moves. */
  VOID_PENDING,
  /** Moves a posted transfer's amount (or part of it) back: refunds use this. */
  REVERSAL
}
