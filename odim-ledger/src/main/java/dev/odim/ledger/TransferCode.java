package dev.odim.ledger;

/**
 * The outcome of one transfer: {@link #CREATED}, {@link #EXISTS}, or why nothing was written.
 * Expected failures are codes, never exceptions.
 */
public enum TransferCode {
  CREATED,
  /** A transfer with this id and the same fields exists; its original result stands. */
  EXISTS,
  EXISTS_WITH_DIFFERENT_KIND,
  EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT,
  EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT,
  EXISTS_WITH_DIFFERENT_AMOUNT,
  EXISTS_WITH_DIFFERENT_CURRENCY,
  EXISTS_WITH_DIFFERENT_CODE,
  EXISTS_WITH_DIFFERENT_PENDING_ID,
  EXISTS_WITH_DIFFERENT_REVERSES_ID,
  EXISTS_WITH_DIFFERENT_TIMEOUT,
  EXISTS_WITH_DIFFERENT_FLAGS,
  EXISTS_WITH_DIFFERENT_METADATA,

  AMOUNT_MUST_BE_POSITIVE,
  CODE_MUST_NOT_BE_NEGATIVE,
  ACCOUNTS_MUST_BE_DIFFERENT,
  ACCOUNT_NOT_FOUND,
  CURRENCY_MISMATCH,
  ACCOUNT_CLOSED,
  /** The debit account's debits would exceed its credits. */
  EXCEEDS_CREDITS,
  /** The credit account's credits would exceed its debits. */
  EXCEEDS_DEBITS,
  /** A balance would pass the largest amount a long holds. */
  OVERFLOW,
  /** Accounts were named on a post, void or reversal, which take the referred transfer's. */
  ACCOUNTS_NOT_ALLOWED,
  /** A timeout on anything but a pending transfer, or a negative timeout. */
  INVALID_TIMEOUT,
  /** Balancing on a post, void or reversal. */
  BALANCING_NOT_ALLOWED,
  INVALID_METADATA,

  PENDING_NOT_FOUND,
  /** The referred transfer is not a pending one. */
  NOT_PENDING,
  PENDING_ALREADY_POSTED,
  PENDING_ALREADY_VOIDED,
  /** The hold timed out; it was (or is now) released. */
  PENDING_EXPIRED,
  /** The post asks for more than the pending transfer holds. */
  EXCEEDS_PENDING_AMOUNT,

  TRANSFER_NOT_FOUND,
  /** Only immediate transfers, posts and reversals of them moved money that can go back. */
  NOT_REVERSIBLE,
  /** The reversal asks for more than remains of the original. */
  EXCEEDS_REVERSIBLE_AMOUNT,

  /** Another transfer of the same linked chain failed, so this one was not applied. */
  LINKED_EVENT_FAILED,
  /** The batch's last transfer is marked linked: its chain has no end. */
  LINKED_CHAIN_OPEN,

  /** A journal entry was malformed; {@link JournalResult#rejectedBecause()} says how. */
  INVALID_JOURNAL_ENTRY
}
