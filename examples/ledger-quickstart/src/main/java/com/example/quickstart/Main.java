package com.example.quickstart;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.ledger.Balance;
import dev.odim.ledger.Ledger;

/** Runs {@link Quickstart} on the PostgreSQL named by DATABASE_URL and prints the balances. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String url = System.getenv("DATABASE_URL");
    if (url == null || url.isBlank()) {
      System.err.println(
          "DATABASE_URL is not set; e.g. DATABASE_URL=postgresql://user:pass@localhost:5432/db");
      System.exit(2);
    }
    // Closing the ledger first lets it finish what it has queued; then the pool closes.
    try (Db db = Db.builder(url).build();
        Ledger ledger = Ledger.builder(db).build()) {
      Quickstart.Outcome outcome = Quickstart.run(ledger);
      System.out.println("transfer " + outcome.transfer().id() + ": " + outcome.transfer().code());
      print("Paystack clearing", outcome.clearing());
      print("creator", outcome.creator());
      Balance creator = outcome.creator();
      System.out.println(
          "creator can withdraw " + Money.of(creator.available(), creator.currency()));
    }
  }

  private static void print(String name, Balance balance) {
    System.out.printf(
        "%-17s  debits %s  credits %s%n",
        name,
        Money.of(balance.debitsPosted(), balance.currency()),
        Money.of(balance.creditsPosted(), balance.currency()));
  }
}
