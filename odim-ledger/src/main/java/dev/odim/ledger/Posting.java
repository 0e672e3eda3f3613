package dev.odim.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * One change to one account's balances, with the balances that resulted: an entry of the account's
 * history.
 *
 * @param accountId the account
 * @param version the account's version after this change (1, 2, 3...)
 * @param transferId the transfer that caused it (for an expired hold: the pending transfer)
 * @param event what happened: {@code transfer}, {@code post}, {@code void}, {@code expire}
 * @param balance the account's balances after the change
 */
public record Posting(
    UUID accountId, long version, UUID transferId, String event, Balance balance) {

  public Instant timestamp() {
    return balance.asOf();
  }
}
