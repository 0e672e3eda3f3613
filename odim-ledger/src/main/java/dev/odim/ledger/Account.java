package dev.odim.ledger;

import java.util.Currency;
import java.util.Objects;
import java.util.UUID;

/**
 * An account to create. The id is the caller's (creating the same account twice is idempotent);
 * {@code code} is the host's account type (creator balance, platform fees, Paystack clearing...).
 *
 * @param id the caller-chosen id
 * @param currency every transfer on the account is in this currency
 * @param code the host's account type, 0 or more
 * @param flags limits and behaviour
 * @param metadata a JSON object, {@code "{}"} when none
 */
public record Account(UUID id, Currency currency, int code, AccountFlags flags, String metadata) {

  public Account {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(flags, "flags");
    Objects.requireNonNull(metadata, "metadata");
  }

  /** An account with no flags and no metadata. */
  public static Account of(UUID id, String currencyCode, int code) {
    return new Account(id, Currency.getInstance(currencyCode), code, AccountFlags.NONE, "{}");
  }

  /** The same account with these flags. */
  public Account withFlags(AccountFlags flags) {
    return new Account(id, currency, code, flags, metadata);
  }

  /** The same account with this JSON object as metadata. */
  public Account withMetadata(String metadata) {
    return new Account(id, currency, code, flags, metadata);
  }
}
