package dev.odim.bench.ledger;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.Load;
import dev.odim.bench.ResultSink;
import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountCode;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.LedgerBuilder;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferResult;
import dev.odim.ledger.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Ledger transfers from 32 client threads under four mixes (uniform pairs over 10,000 accounts, one
 * hot credit account, Zipf-distributed pairs, and API batches of 1,000), each against the same mix
 * done the naive way in SQL ({@link NaiveSql}), and the batches against the same rows written by
 * plain COPY ({@link CopyFloor}), in alternating rounds of one run. Each scenario has its own
 * schema, so that {@link Ledger#verify()} and the loss count after the run see only its own
 * transfers.
 */
public final class LedgerBench implements BenchFamily {
  private static final String BENCH = "ledger";
  private static final int THREADS = 32;
  private static final int BATCH_THREADS = 4;
  private static final int BATCH_SIZE = 1_000;
  private static final int TRANSFER_CODE = 1;
  private static final int ACCOUNT_CODE = 1;
  private static final long ACCOUNT_SEED = 0x1ED6E2L;
  private static final Currency NGN = Currency.getInstance("NGN");

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "ledger transfers (uncontended, hot-account, zipf, batch) vs naive SQL row locking"
        + " and vs plain COPY of the same rows (copy-floor)";
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    try (BenchDatabase database = BenchDatabase.open(options, out);
        Db db =
            Db.builder(database.url())
                .maximumPoolSize(THREADS + 8)
                .poolName("odim-bench-ledger")
                .build()) {
      new Plan(options, out, db).run();
    }
  }

  /** One invocation: set-up, alternating rounds, checks, result lines. */
  private static final class Plan {
    private final BenchOptions options;
    private final ResultSink out;
    private final Db db;
    private final UUID[] accounts = Ids.accounts(Mix.ACCOUNTS + 1, ACCOUNT_SEED);
    private final List<Ledger> ledgers = new ArrayList<>();

    Plan(BenchOptions options, ResultSink out, Db db) {
      this.options = options;
      this.out = out;
      this.db = db;
    }

    void run() throws Exception {
      long began = System.nanoTime();
      try {
        NaiveSql naiveUniform = naive("bench_naive");
        NaiveSql naiveHot = naive("bench_naive_hot");
        NaiveSql naiveZipf = naive("bench_naive_zipf");
        Ledger uniform = ledger("bench_uncontended");
        Ledger hot = ledger("bench_hot_account");
        Ledger zipf = ledger("bench_zipf");
        Ledger batch = ledger("bench_batch");
        Ledger floorLedger = ledger("bench_copy_floor");
        CopyFloor copyFloor = new CopyFloor(db, "bench_copy_floor", accounts, BATCH_THREADS);
        out.progress(String.format("set up in %.1f s", (System.nanoTime() - began) / 1e9));

        Scenario naiveU = naiveScenario("naive-sql", naiveUniform, Mix.UNIFORM);
        Scenario naiveH = naiveScenario("naive-sql-hot", naiveHot, Mix.HOT);
        Scenario naiveZ = naiveScenario("naive-sql-zipf", naiveZipf, Mix.ZIPF);
        Scenario ledgerU = ledgerScenario("uncontended", uniform, "bench_uncontended", Mix.UNIFORM);
        Scenario ledgerH = ledgerScenario("hot-account", hot, "bench_hot_account", Mix.HOT);
        Scenario ledgerZ = ledgerScenario("zipf", zipf, "bench_zipf", Mix.ZIPF);
        Scenario batches = batchScenario(batch);
        Scenario floor =
            new Scenario(
                "copy-floor",
                Mix.UNIFORM,
                BATCH_THREADS,
                "bench_copy_floor",
                copyFloor::acknowledged,
                new Tally(),
                copyFloor::operation);
        List<Scenario> order =
            List.of(naiveU, ledgerU, naiveH, ledgerH, naiveZ, ledgerZ, batches, floor);

        Duration warmUp = options.quick() ? Duration.ofMillis(500) : Duration.ofSeconds(3);
        for (Scenario s : order) {
          out.progress("warming up " + s.name);
          s.warmUp(warmUp);
        }
        int rounds = rounds();
        Duration round = round();
        for (int r = 1; r <= rounds; r++) {
          for (Scenario s : order) {
            Round measured = s.measure(round);
            out.progress(
                String.format(
                    "round %d/%d %-15s %,9.0f transfers/s  p99 %.2f ms  errors %d",
                    r,
                    rounds,
                    s.name,
                    measured.opsPerSecond(),
                    measured.m().percentileMillis(0.99),
                    measured.m().errors()));
          }
        }

        ledgerResult(ledgerU, naiveU, uniform);
        ledgerResult(ledgerH, naiveH, hot);
        ledgerResult(ledgerZ, naiveZ, zipf);
        ledgerResult(batches, floor, batch);
        ledgerResult(floor, null, floorLedger);
        naiveResult(naiveU, naiveUniform);
        naiveResult(naiveH, naiveHot);
        naiveResult(naiveZ, naiveZipf);
        out.progress(String.format("done in %.1f s", (System.nanoTime() - began) / 1e9));
      } finally {
        for (Ledger ledger : ledgers) {
          ledger.close();
        }
      }
    }

    /** Quick runs must finish in 60 s with eight scenarios: one round each. */
    private int rounds() {
      return options.quick() ? 1 : options.rounds();
    }

    private Duration round() {
      return options.quick() ? Duration.ofSeconds(3) : options.round();
    }

    private NaiveSql naive(String schema) {
      NaiveSql naive = new NaiveSql(db, schema, accounts);
      naive.create();
      return naive;
    }

    private Ledger ledger(String schema) {
      long began = System.nanoTime();
      db.useTransaction(h -> h.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
      LedgerBuilder builder = Ledger.builder(db).schema(schema);
      // For measuring the writer count (docs/ledger.md, "Performance"):
      // -Dodim.bench.ledger.writers=N
      Integer writers = Integer.getInteger("odim.bench.ledger.writers");
      if (writers != null) {
        builder.writers(writers);
      }
      Ledger ledger = builder.build();
      ledgers.add(ledger);
      // No limit flags: no transfer of the run can fail for lack of funds.
      for (int from = 0; from < accounts.length; from += 1_000) {
        List<Account> chunk = new ArrayList<>();
        for (int i = from; i < Math.min(accounts.length, from + 1_000); i++) {
          chunk.add(Account.of(accounts[i], NGN.getCurrencyCode(), ACCOUNT_CODE));
        }
        for (AccountResult result : ledger.createAccounts(chunk)) {
          if (result.code() != AccountCode.CREATED) {
            throw new IllegalStateException("account not created in " + schema + ": " + result);
          }
        }
      }
      out.progress(
          String.format(
              "%s: %,d accounts in %.1f s",
              schema, accounts.length, (System.nanoTime() - began) / 1e9));
      return ledger;
    }

    private Scenario naiveScenario(String name, NaiveSql naive, Mix mix) {
      return new Scenario(
          name,
          mix,
          THREADS,
          naive.schema(),
          naive::acknowledged,
          new Tally(),
          () -> naive.operation(mix.pickers(THREADS)));
    }

    private Scenario ledgerScenario(String name, Ledger ledger, String schema, Mix mix) {
      LongAdder created = new LongAdder();
      return new Scenario(
          name,
          mix,
          THREADS,
          schema,
          created::sum,
          new Tally(),
          () -> {
            Mix.Picker[] pickers = mix.pickers(THREADS);
            return (worker, sequence) -> {
              Mix.Picker p = pickers[worker];
              p.next();
              TransferResult result =
                  ledger.transfer(
                      Transfer.immediate(
                          Ids.transfer(),
                          accounts[p.debit],
                          accounts[p.credit],
                          Money.of(p.amount, NGN),
                          TRANSFER_CODE));
              if (!(result instanceof TransferResult.Created)) {
                throw new IllegalStateException("transfer not created: " + result);
              }
              created.increment();
            };
          });
    }

    private Scenario batchScenario(Ledger ledger) {
      LongAdder created = new LongAdder();
      Tally tally = new Tally();
      return new Scenario(
          "batch",
          Mix.UNIFORM,
          BATCH_THREADS,
          "bench_batch",
          created::sum,
          tally,
          () -> {
            Mix.Picker[] pickers = Mix.UNIFORM.pickers(BATCH_THREADS);
            return (worker, sequence) -> {
              Mix.Picker p = pickers[worker];
              List<Transfer> batch = new ArrayList<>(BATCH_SIZE);
              for (int i = 0; i < BATCH_SIZE; i++) {
                p.next();
                batch.add(
                    Transfer.immediate(
                        Ids.transfer(),
                        accounts[p.debit],
                        accounts[p.credit],
                        Money.of(p.amount, NGN),
                        TRANSFER_CODE));
              }
              int ok = 0;
              for (TransferResult result : ledger.transfers(batch)) {
                if (result instanceof TransferResult.Created) {
                  ok++;
                } else {
                  tally.reject("transfer in batch not created: " + result);
                }
              }
              created.add(ok);
            };
          });
    }

    private void ledgerResult(Scenario s, @Nullable Scenario baseline, Ledger ledger) {
      long began = System.nanoTime();
      List<Violation> violations = ledger.verify();
      double verifyMillis = (System.nanoTime() - began) / 1e6;
      violations.stream()
          .limit(5)
          .forEach(v -> out.progress(s.name + " violation: " + v.invariant() + ": " + v.detail()));
      long inTable =
          db.withHandle(
              h ->
                  h.createQuery("SELECT count(*) FROM " + s.schema + ".transfers")
                      .mapTo(Long.class)
                      .one());
      long acknowledged = s.successes.getAsLong();
      Round median = s.median();
      Map<String, Object> fields = common(s, median);
      fields.put("violations", violations.size());
      fields.put("lost", Math.max(0, acknowledged - inTable));
      if (baseline != null) {
        fields.put("baseline", baseline.name);
        fields.put("baseline_ops_per_sec", Math.round(baseline.median().opsPerSecond()));
        fields.put("ratio", round3(s.medianRatioTo(baseline)));
      }
      if (s.threads == BATCH_THREADS) {
        fields.put("latency_per", "call");
        fields.put("batch_size", BATCH_SIZE);
        fields.put("calls_per_sec", Math.round(median.m().opsPerSecond()));
      }
      fields.put("transfers_in_table", inTable);
      fields.put("verify_ms", Math.round(verifyMillis));
      out.result(BENCH, s.name, fields);
    }

    private void naiveResult(Scenario s, NaiveSql naive) {
      long violations = naive.violations();
      long lost = Math.max(0, naive.acknowledged() - naive.transfersInTable());
      Map<String, Object> fields = common(s, s.median());
      fields.put("violations", violations);
      fields.put("lost", lost);
      out.result(BENCH, s.name, fields);
    }

    private Map<String, Object> common(Scenario s, Round median) {
      s.reportFirstError(out);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(median.opsPerSecond()));
      fields.put("p50_ms", round3(median.m().percentileMillis(0.50)));
      fields.put("p95_ms", round3(median.m().percentileMillis(0.95)));
      fields.put("p99_ms", round3(median.m().percentileMillis(0.99)));
      fields.put("errors", s.errors);
      fields.put("mix", s.mix.name().toLowerCase(Locale.ROOT));
      fields.put("threads", s.threads);
      fields.put("rounds", s.rounds.size());
      fields.put("round_s", round().toSeconds());
      return fields;
    }
  }

  /** One measured run of a scenario; ops are successful transfers, counted by the scenario. */
  private record Round(Load.Measurement m, double opsPerSecond) {}

  /** Rejected transfers (a result, not an exception) and the first failure of a scenario. */
  private static final class Tally {
    final LongAdder rejected = new LongAdder();
    final AtomicReference<@Nullable String> firstError = new AtomicReference<>();

    void reject(String what) {
      rejected.increment();
      firstError.compareAndSet(null, what);
    }
  }

  /** A named workload and everything measured of it over the invocation. */
  private static final class Scenario {
    final String name;
    final Mix mix;
    final int threads;
    final String schema;
    final LongSupplier successes;
    final Tally tally;
    final Supplier<Load.Operation> operations;
    final List<Round> rounds = new ArrayList<>();
    long errors;

    Scenario(
        String name,
        Mix mix,
        int threads,
        String schema,
        LongSupplier successes,
        Tally tally,
        Supplier<Load.Operation> operations) {
      this.name = name;
      this.mix = mix;
      this.threads = threads;
      this.schema = schema;
      this.successes = successes;
      this.tally = tally;
      this.operations = operations;
    }

    void warmUp(Duration duration) throws InterruptedException {
      timed(duration);
    }

    Round measure(Duration duration) throws InterruptedException {
      Round round = timed(duration);
      rounds.add(round);
      return round;
    }

    /** Errors count every failed call and every rejected transfer, warm-up included. */
    private Round timed(Duration duration) throws InterruptedException {
      Load.Operation operation = operations.get();
      long before = successes.getAsLong();
      long rejectedBefore = tally.rejected.sum();
      Load.Measurement m =
          Load.run(
              threads,
              duration,
              (worker, sequence) -> {
                try {
                  operation.run(worker, sequence);
                } catch (Exception | Error e) {
                  tally.firstError.compareAndSet(null, e.toString());
                  throw e;
                }
              });
      errors += m.errors() + (tally.rejected.sum() - rejectedBefore);
      return new Round(m, (successes.getAsLong() - before) / m.seconds());
    }

    Round median() {
      Round[] sorted = rounds.toArray(Round[]::new);
      Arrays.sort(sorted, (a, b) -> Double.compare(a.opsPerSecond(), b.opsPerSecond()));
      return sorted[sorted.length / 2];
    }

    /** The median of the per-round ratios: each pair ran seconds apart, cancelling drift. */
    double medianRatioTo(Scenario baseline) {
      double[] ratios = new double[rounds.size()];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = rounds.get(i).opsPerSecond() / baseline.rounds.get(i).opsPerSecond();
      }
      Arrays.sort(ratios);
      return ratios[ratios.length / 2];
    }

    void reportFirstError(ResultSink out) {
      String first = tally.firstError.get();
      if (first != null) {
        out.progress(name + ": first error: " + first);
      }
    }
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
