package dev.odim.bench.reconciliation;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.ResultSink;
import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.payments.FeePolicy;
import dev.odim.payments.Payments;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.reconciliation.Category;
import dev.odim.payments.reconciliation.Reconciliation;
import dev.odim.payments.reconciliation.RunRecord;
import dev.odim.testkit.paystack.PaystackSimulator;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code window-100k} ({@code window-20k} with {@code --quick}, a fifth of each group): 100,000
 * transactions at the Paystack simulator in one window, against 99,500 intents of ours in
 * PostgreSQL: 97,000 paid and settled on both sides, 1,000 paid at Paystack and still pending here
 * (repaired by settling), 1,000 failed there and pending here (marked failed), 500 charged another
 * amount, 500 paid under references we do not know, and 200 settled here that Paystack never saw.
 * One run classifies them all; {@code ops_per_sec} is provider transactions reconciled per second
 * of the run, {@code heap_mb} the run's peak heap growth over the heap before it, and {@code lost}
 * the references paid at Paystack that after the run are neither settled nor an open discrepancy,
 * counted in SQL.
 */
public final class ReconciliationBench implements BenchFamily {
  private static final String BENCH = "reconciliation";
  private static final String KEY = "sk_test_bench_reconciliation";
  private static final Currency NGN = Currency.getInstance("NGN");
  private static final int CREATORS = 100;
  private static final long AMOUNT = 500_000;
  private static final long SHARE = 450_000; // 10% fee

  /** Provider-side groups: reference prefix, count, the simulator's status, our intent's status. */
  private record Group(String prefix, int count, String providerStatus, String localStatus) {}

  private static final List<Group> GROUPS =
      List.of(
          new Group("m", 97_000, "success", "succeeded"),
          new Group("r", 1_000, "success", "pending"),
          new Group("f", 1_000, "failed", "pending"),
          new Group("a", 500, "success", "pending"),
          new Group("u", 500, "success", ""),
          new Group("h", 200, "", "succeeded"));

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "one reconciliation run over 100,000 provider transactions (window-100k)";
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    // --quick must end within a minute on a 2-core machine, with PostgreSQL's start and the
    // seeding: it runs a fifth of the window, under its own scenario name.
    int scale = options.quick() ? 5 : 1;
    String scenario = options.quick() ? "window-20k" : "window-100k";
    try (BenchDatabase database = BenchDatabase.open(options, out);
        Db db = Db.builder(database.url()).maximumPoolSize(8).build();
        Ledger ledger = Ledger.builder(db).build();
        PaystackSimulator simulator = PaystackSimulator.builder().secretKey(KEY).build().start(0)) {
      Payments payments = Payments.builder(db, ledger).fees(FeePolicy.basisPoints(1000)).build();
      PaystackClient paystack =
          PaystackClient.builder().secretKey(KEY).baseUri(simulator.baseUri()).build();
      Reconciliation reconciliation = Reconciliation.builder(payments, paystack).build();
      List<UUID> creators = creators(ledger);
      long transactions =
          GROUPS.stream()
              .filter(g -> !g.providerStatus().isEmpty())
              .mapToLong(g -> g.count() / scale)
              .sum();
      out.progress("seeding our side and the simulator's: " + transactions + " transactions");
      seedIntents(db, creators, Instant.now().minus(Duration.ofMinutes(30)), scale);
      fundCreators(db, ledger, payments, creators);
      seedSimulator(simulator.baseUri(), scale);

      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      System.gc();
      long baseline = memory.getHeapMemoryUsage().getUsed();
      AtomicLong peak = new AtomicLong(baseline);
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (sampling.get()) {
                      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                      try {
                        Thread.sleep(20);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      out.progress("running reconciliation over the window");
      long started = System.nanoTime();
      RunRecord run = reconciliation.runNow();
      double seconds = (System.nanoTime() - started) / 1e9;
      sampling.set(false);
      sampler.join();
      out.progress(
          "run: "
              + run.status()
              + " "
              + run.counts()
              + " repaired "
              + run.repaired()
              + (run.error().isEmpty() ? "" : " error " + run.error()));

      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(transactions / seconds));
      fields.put("heap_mb", Math.round((peak.get() - baseline) / (1024.0 * 1024.0)));
      fields.put("lost", lost(db, scale));
      fields.put("errors", run.error().isEmpty() ? 0 : 1);
      fields.put("transactions", transactions);
      fields.put("seconds", Math.round(seconds * 10) / 10.0);
      fields.put("repaired", run.repaired());
      fields.put(
          "discrepancies",
          run.total() - run.count(Category.MATCHED) - run.count(Category.IGNORED) - run.repaired());
      fields.put("violations", ledger.verify().size());
      out.result(BENCH, scenario, fields);
    }
  }

  private static List<UUID> creators(Ledger ledger) {
    List<UUID> creators = new ArrayList<>();
    List<Account> accounts = new ArrayList<>();
    for (int i = 0; i < CREATORS; i++) {
      UUID id = UUID.randomUUID();
      creators.add(id);
      accounts.add(
          Account.of(id, "NGN", 900).withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    }
    ledger.createAccounts(accounts);
    return creators;
  }

  /** Our intents, written in SQL by the batch (creating 99,500 through the API is not measured). */
  private static void seedIntents(Db db, List<UUID> creators, Instant at, int scale) {
    db.useTransaction(
        h -> {
          for (Group g : GROUPS) {
            if (g.localStatus().isEmpty()) {
              continue;
            }
            boolean settled = g.localStatus().equals("succeeded");
            h.createUpdate(
                    "INSERT INTO odim_payments.payment_intents (reference, payer, creator_account,"
                        + " amount_minor, fee_minor, currency, purpose, purpose_id, status,"
                        + " created_at, updated_at, settled_at)"
                        + " SELECT :prefix || '-' || lpad(i::text, 8, '0'), 'fan-' || i,"
                        + " (:creators)[1 + i % :n], :amount, :amount / 10, 'NGN', 'subscription',"
                        + " :prefix || i, :status, :at, :at, CASE WHEN :settled THEN"
                        + " CAST(:at AS timestamptz) END FROM generate_series(1, :count) AS i")
                .bind("prefix", g.prefix())
                .bindArray("creators", UUID.class, creators.toArray())
                .bind("n", creators.size())
                .bind("amount", AMOUNT)
                .bind("status", g.localStatus())
                .bind("at", at.truncatedTo(ChronoUnit.MICROS))
                .bind("settled", settled)
                .bind("count", g.count() / scale)
                .execute();
          }
        });
  }

  /** Posts each creator's share of the seeded settled intents, as their settlements would have. */
  private static void fundCreators(Db db, Ledger ledger, Payments payments, List<UUID> creators) {
    List<Map<String, Object>> sums =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT creator_account, count(*) AS n FROM odim_payments.payment_intents"
                            + " WHERE status = 'succeeded' GROUP BY creator_account")
                    .mapToMap()
                    .list());
    for (Map<String, Object> row : sums) {
      ledger.transfer(
          Transfer.immediate(
              UUID.randomUUID(),
              payments.clearingAccount(NGN),
              (UUID) row.get("creator_account"),
              Money.of(((Number) row.get("n")).longValue() * SHARE, NGN),
              9));
    }
    if (sums.size() != creators.size()) {
      throw new IllegalStateException("every creator should have settled payments");
    }
  }

  /** The provider's side, through the simulator's control route, 5,000 per request. */
  private static void seedSimulator(URI base, int scale) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (Group g : GROUPS) {
      if (g.providerStatus().isEmpty()) {
        continue;
      }
      long amount = g.prefix().equals("a") ? AMOUNT - 1_000 : AMOUNT;
      int count = g.count() / scale;
      for (int from = 1; from <= count; from += 5_000) {
        StringBuilder body = new StringBuilder("{\"transactions\":[");
        for (int i = from; i < from + 5_000 && i <= count; i++) {
          if (i > from) {
            body.append(',');
          }
          body.append("{\"reference\":\"")
              .append(g.prefix())
              .append('-')
              .append(String.format("%08d", i))
              .append("\",\"amount\":")
              .append(amount)
              .append(",\"email\":\"fan")
              .append(i)
              .append("@example.com\",\"status\":\"")
              .append(g.providerStatus())
              .append("\"}");
        }
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/_control/transactions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.append("]}").toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
          throw new IllegalStateException("the simulator refused the seed: " + answer.body());
        }
      }
    }
  }

  /**
   * References paid at the provider that are neither settled here nor an open discrepancy: money
   * the run let slip. Counted in SQL over the seeded references.
   */
  private static long lost(Db db, int scale) {
    return db.withHandle(
        h -> {
          long lost = 0;
          for (Group g : GROUPS) {
            if (!g.providerStatus().equals("success")) {
              continue;
            }
            lost +=
                h.createQuery(
                        "SELECT count(*) FROM generate_series(1, :count) AS i"
                            + " CROSS JOIN LATERAL (SELECT :prefix || '-' || lpad(i::text, 8, '0')"
                            + " AS reference) r WHERE NOT EXISTS (SELECT 1 FROM"
                            + " odim_payments.payment_intents p WHERE p.reference = r.reference"
                            + " AND p.settled_at IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM"
                            + " odim_payments.discrepancies d WHERE d.reference = r.reference"
                            + " AND d.status = 'open')")
                    .bind("count", g.count() / scale)
                    .bind("prefix", g.prefix())
                    .mapTo(Long.class)
                    .one();
          }
          return lost;
        });
  }
}
