package com.example.quickstart;

import dev.odim.core.Money;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.Balance;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferResult;
import java.util.List;
import java.util.UUID;

/**
 * Two accounts and one transfer. The ids are fixed, so running it again changes nothing: the
 * accounts and the transfer answer EXISTS and the balances stay as they were.
 */
public final class Quickstart {
  // Account and transfer types are the application's own numbers.
  static final int PAYSTACK_CLEARING = 100;
  static final int CREATOR_BALANCE = 200;
  static final int FAN_PAYMENT = 1;

  static final UUID CLEARING = UUID.fromString("0196f2a0-0000-7000-8000-000000000001");
  static final UUID CREATOR = UUID.fromString("0196f2a0-0000-7000-8000-000000000002");
  static final UUID PAYMENT = UUID.fromString("0196f2a0-0000-7000-8000-000000000003");

  /** What one run did and the balances after it. */
  public record Outcome(TransferResult transfer, Balance clearing, Balance creator) {}

  private Quickstart() {}

  public static Outcome run(Ledger ledger) {
    List<AccountResult> accounts =
        ledger.createAccounts(
            List.of(
                Account.of(CLEARING, "NGN", PAYSTACK_CLEARING),
                // What the platform owes the creator: it may never go below zero.
                Account.of(CREATOR, "NGN", CREATOR_BALANCE)
                    .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)));
    for (AccountResult account : accounts) {
      if (!account.ok()) {
        throw new IllegalStateException("account " + account.id() + ": " + account.code());
      }
    }

    // A fan paid 5,000.00 naira through Paystack: 500,000 kobo.
    TransferResult transfer =
        ledger.transfer(
            Transfer.immediate(PAYMENT, CLEARING, CREATOR, Money.of(500_000, "NGN"), FAN_PAYMENT));

    return new Outcome(
        transfer, ledger.balance(CLEARING).orElseThrow(), ledger.balance(CREATOR).orElseThrow());
  }
}
