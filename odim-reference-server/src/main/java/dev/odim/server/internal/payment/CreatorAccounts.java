package dev.odim.server.internal.payment;

import dev.odim.ledger.Account;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.Ledger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Each creator's balance in the ledger: one account per creator and currency, whose id derives from
 * the creator's, so it needs no table of its own and creating it twice is harmless. It may never go
 * below zero (payouts are held against it).
 */
public final class CreatorAccounts {
  /** The ledger's account code of creator balances. */
  public static final int CREATOR_BALANCE_CODE = 300;

  private final Ledger ledger;

  public CreatorAccounts(Ledger ledger) {
    this.ledger = ledger;
  }

  /** The ledger account of {@code creatorId}'s NGN balance. */
  public static UUID of(UUID creatorId) {
    return UUID.nameUUIDFromBytes(
        ("odim-server:creator-balance:NGN:" + creatorId).getBytes(StandardCharsets.UTF_8));
  }

  /** Creates the creator's balance account inside the caller's transaction, if missing. */
  public void ensure(Handle handle, UUID creatorId) {
    Account account =
        Account.of(of(creatorId), "NGN", CREATOR_BALANCE_CODE)
            .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
            .withMetadata("{\"creator\":\"" + creatorId + "\"}");
    AccountResult result = ledger.createAccounts(handle, List.of(account)).get(0);
    if (!result.ok()) {
      throw new IllegalStateException("the ledger refused creator account " + result);
    }
  }
}
