package dev.odim.ledger;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.testkit.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

public class ProfileScratch {
  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgres pg =
            EmbeddedPostgres.builder()
                .durable(true)
                .serverConfig("log_min_duration_statement", "0")
                .start();
        Db db = Db.builder(pg.jdbcUrl("postgres")).maximumPoolSize(8).build();
        Ledger ledger = Ledger.builder(db).expiryInterval(Duration.ZERO).build()) {
      List<UUID> ids = new ArrayList<>();
      List<Account> accounts = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        accounts.add(Account.of(id, "NGN", 1));
      }
      ledger.createAccounts(accounts);
      Random r = new Random(1);
      Files.writeString(Path.of("/tmp/prof/marker"), pg.logFile().toString());
      for (int call = 0; call < 20; call++) {
        List<Transfer> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          UUID a = ids.get(r.nextInt(ids.size())), b = ids.get(r.nextInt(ids.size()));
          if (a.equals(b)) continue;
          batch.add(
              Transfer.immediate(UUID.randomUUID(), a, b, Money.of(1 + r.nextInt(100), "NGN"), 1));
        }
        long t0 = System.nanoTime();
        ledger.transfers(batch);
        System.out.println("call " + call + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      }
      Files.copy(
          pg.logFile(),
          Path.of("/tmp/prof/pg.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
