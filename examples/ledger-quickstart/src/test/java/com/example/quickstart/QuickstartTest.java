package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.odim.core.db.Db;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.TransferCode;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The quickstart's flow on a database of its own (embedded PostgreSQL; nothing to install). */
@ExtendWith(PostgresExtension.class)
class QuickstartTest {

  @Test
  void movesTheMoneyOnceHoweverOftenItRuns(TestDatabase database) {
    try (Db db = Db.builder(database.jdbcUrlWithCredentials()).build();
        Ledger ledger = Ledger.builder(db).build()) {
      Quickstart.Outcome first = Quickstart.run(ledger);
      Quickstart.Outcome again = Quickstart.run(ledger);

      assertEquals(TransferCode.CREATED, first.transfer().code());
      assertEquals(TransferCode.EXISTS, again.transfer().code());
      assertEquals(500_000, again.clearing().debitsPosted());
      assertEquals(500_000, again.creator().creditsPosted());
      assertEquals(500_000, again.creator().available());
      assertTrue(ledger.verify().isEmpty(), "ledger invariants hold");
    }
  }
}
