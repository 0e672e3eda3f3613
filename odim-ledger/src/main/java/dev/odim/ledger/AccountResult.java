package dev.odim.ledger;

import java.util.UUID;

/**
 * The outcome of creating one account.
 *
 * @param id the account's id
 * @param code {@link AccountCode#CREATED}, {@link AccountCode#EXISTS} or why it was refused
 */
public record AccountResult(UUID id, AccountCode code) {

  /** Whether the account now exists as asked (created now or before, with the same fields). */
  public boolean ok() {
    return code == AccountCode.CREATED || code == AccountCode.EXISTS;
  }
}
