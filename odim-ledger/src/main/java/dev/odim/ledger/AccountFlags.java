package dev.odim.ledger;

/**
 * What an account allows. The two limits are exclusive; the database enforces them with CHECK
 * constraints as well as the ledger does.
 *
 * @param debitsMustNotExceedCredits debits posted + pending may never exceed credits posted: a
 *     balance that cannot go negative, such as a creator's earnings
 * @param creditsMustNotExceedDebits credits posted + pending may never exceed debits posted
 * @param history accepted for compatibility with TigerBeetle's model; Odim keeps the history of
 *     every account (each posting row carries the running balance)
 * @param closed a closed account takes no new transfers
 */
public record AccountFlags(
    boolean debitsMustNotExceedCredits,
    boolean creditsMustNotExceedDebits,
    boolean history,
    boolean closed) {

  /** No limits, open. */
  public static final AccountFlags NONE = new AccountFlags(false, false, false, false);

  /** Debits may not exceed credits: the usual flag for a balance owed to someone. */
  public static final AccountFlags DEBITS_MUST_NOT_EXCEED_CREDITS =
      new AccountFlags(true, false, false, false);

  /** Credits may not exceed debits. */
  public static final AccountFlags CREDITS_MUST_NOT_EXCEED_DEBITS =
      new AccountFlags(false, true, false, false);
}
