package dev.odim.ledger;

import java.time.Instant;
import java.util.Currency;
import java.util.UUID;

/**
 * An account's balances at one moment, in minor units.
 *
 * @param accountId the account
 * @param currency its currency
 * @param debitsPending debits held by pending transfers
 * @param debitsPosted debits posted
 * @param creditsPending credits held by pending transfers
 * @param creditsPosted credits posted
 * @param version how many balance changes the account has seen; 0 before the first
 * @param asOf when this balance came to be (the last change's time), or the creation time
 */
public record Balance(
    UUID accountId,
    Currency currency,
    long debitsPending,
    long debitsPosted,
    long creditsPending,
    long creditsPosted,
    long version,
    Instant asOf) {

  /**
   * What a credit-normal account (one whose debits must not exceed its credits, such as a creator's
   * earnings) can still spend: credits posted minus debits posted and pending.
   */
  public long available() {
    return creditsPosted - debitsPosted - debitsPending;
  }

  /** The debit-normal counterpart: debits posted minus credits posted and pending. */
  public long availableDebit() {
    return debitsPosted - creditsPosted - creditsPending;
  }
}
