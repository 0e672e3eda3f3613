package dev.odim.ledger;

/**
 * TigerBeetle's balancing transfers: move at most the amount, and less when the account would
 * otherwise exceed its limit.
 */
public enum Balancing {
  NONE,
  /** Take at most what the debit account has available (credits posted - debits). */
  DEBIT,
  /** Take at most what the credit account can take (debits posted - credits). */
  CREDIT
}
