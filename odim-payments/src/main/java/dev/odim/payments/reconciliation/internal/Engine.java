package dev.odim.payments.reconciliation.internal;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.payments.Payments;
import dev.odim.payments.PaymentsException;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.Settlement;
import dev.odim.payments.SettlementSource;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.paystack.TransactionPage;
import dev.odim.payments.paystack.TransactionQuery;
import dev.odim.payments.paystack.Transfer;
import dev.odim.payments.paystack.TransferPage;
import dev.odim.payments.paystack.TransferQuery;
import dev.odim.payments.reconciliation.Category;
import dev.odim.payments.reconciliation.MatchingRules;
import dev.odim.payments.reconciliation.ReconciliationException;
import dev.odim.payments.reconciliation.ReconciliationListener;
import dev.odim.payments.reconciliation.RunRecord;
import dev.odim.payments.reconciliation.RunStatus;
import dev.odim.payments.reconciliation.RunTrigger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Runs reconciliation: claims a run, copies the provider's pages into the staging table (recording
 * each page's progress, so a failed run resumes), classifies in SQL, repairs through {@link
 * Payments#settle}, checks ledger drift and records the outcome.
 */
public final class Engine {
  private final Db db;
  private final Payments payments;
  private final PaystackClient paystack;
  private final Clock clock;
  private final String schema;
  private final String ledgerSchema;
  private final MatchingRules rules;
  private final int pageSize;
  private final int parallelism;
  private final Duration lease;
  private final ReconciliationListener listener;
  private final Runs runs;
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong repaired = new AtomicLong();

  /** The parts a run uses; see {@code Reconciliation.Builder} for what each means. */
  public Engine(
      Payments payments,
      PaystackClient paystack,
      String ledgerSchema,
      MatchingRules rules,
      int pageSize,
      int parallelism,
      Duration lease,
      ReconciliationListener listener) {
    this.db = payments.db();
    this.payments = payments;
    this.paystack = paystack;
    this.clock = payments.clock();
    this.schema = payments.schema();
    this.ledgerSchema = ledgerSchema;
    this.rules = rules;
    this.pageSize = pageSize;
    this.parallelism = parallelism;
    this.lease = lease;
    this.listener = listener;
    this.runs = new Runs(db, schema);
  }

  /** The run records. */
  public Runs runs() {
    return runs;
  }

  /** Runs that succeeded, failed, and pairs repaired, by this instance since it started. */
  public long[] counters() {
    return new long[] {succeeded.get(), failed.get(), repaired.get()};
  }

  /** The outcome of {@link #run}: the run as it stands, and whether this call worked on it. */
  public record Outcome(RunRecord run, boolean ranHere) {}

  /**
   * Runs (or resumes) the run under {@code key}. Another instance holding the run's lease, or a run
   * that already succeeded, is answered as it stands with {@code ranHere} false.
   */
  public Outcome run(String key, RunTrigger trigger, Instant from, Instant to) {
    Instant now = now();
    Optional<Runs.Claimed> claim = runs.claim(key, trigger, from, to, now, now.plus(lease));
    if (claim.isEmpty()) {
      return new Outcome(runs.byKey(key).orElseThrow(), false);
    }
    Runs.Claimed run = claim.get();
    Instant attemptStarted = now;
    try {
      String staging = schema + ".reconciliation_provider_records";
      fetch(staging, run);
      if (run.phase().equals("fetching")) {
        Map<Category, Long> counts = classify(staging, run.id(), run.from(), run.to(), true);
        runs.repairing(run, counts, renewal());
      }
      long repairedNow = repair(staging, run);
      repaired.addAndGet(repairedNow);
      long drift = drift(run.id(), true);
      RunRecord done =
          runs.succeed(run, drift, now(), Duration.between(attemptStarted, now()).toMillis());
      succeeded.incrementAndGet();
      tell(() -> listener.succeeded(done));
      return new Outcome(done, true);
    } catch (RuntimeException e) {
      RunRecord stopped =
          runs.fail(run, describe(e), now(), Duration.between(attemptStarted, now()).toMillis());
      failed.incrementAndGet();
      tell(() -> listener.failed(stopped, e));
      return new Outcome(stopped, true);
    }
  }

  /** Classifies the window without writing to any table of ours (a temporary table holds pages). */
  public RunRecord dryRun(Instant from, Instant to) {
    Instant started = now();
    UUID id = UUID.randomUUID();
    return db.withHandle(
        h -> {
          String staging = "pg_temp.reconciliation_dry_run";
          h.execute(
              "CREATE TEMP TABLE IF NOT EXISTS reconciliation_dry_run (LIKE "
                  + schema
                  + ".reconciliation_provider_records INCLUDING DEFAULTS)");
          try {
            Runs.Claimed run =
                new Runs.Claimed(
                    id, "dry-run", RunTrigger.MANUAL, from, to, 1, "fetching", 0, 0, false, false);
            fetchInto(h, staging, run);
            Map<Category, Long> counts = classify(h, staging, id, from, to, false);
            long wouldRepair = wouldRepair(h, staging, run);
            long drift = drift(h, id, false);
            if (drift > 0) {
              counts.put(Category.LEDGER_DRIFT, drift);
            }
            Instant finished = now();
            return new RunRecord(
                id,
                RunTrigger.MANUAL,
                true,
                from,
                to,
                RunStatus.SUCCEEDED,
                1,
                counts,
                wouldRepair,
                started,
                finished,
                Duration.between(started, finished),
                "");
          } finally {
            h.execute("DROP TABLE IF EXISTS pg_temp.reconciliation_dry_run");
          }
        });
  }

  // ---- fetching ----

  /** One fetched page of the provider's records, ready to be written. */
  private interface Fetched {
    int pageCount();

    void insert(Handle h);
  }

  private void fetch(String staging, Runs.Claimed run) {
    copy(
        run,
        "transaction",
        run.transactionPages(),
        run.transactionsDone(),
        page -> {
          TransactionPage answer =
              paystack
                  .list(new TransactionQuery(run.from(), run.to(), null, page, pageSize))
                  .orElseThrow();
          return new Fetched() {
            @Override
            public int pageCount() {
              return answer.transactions().isEmpty() ? page : answer.pageCount();
            }

            @Override
            public void insert(Handle h) {
              insertTransactions(h, staging, run.id(), answer);
            }
          };
        });
    copy(
        run,
        "transfer",
        run.transferPages(),
        run.transfersDone(),
        page -> {
          TransferPage answer =
              paystack
                  .listTransfers(new TransferQuery(run.from(), run.to(), page, pageSize))
                  .orElseThrow();
          return new Fetched() {
            @Override
            public int pageCount() {
              return answer.transfers().isEmpty() ? page : answer.pageCount();
            }

            @Override
            public void insert(Handle h) {
              insertTransfers(h, staging, run.id(), answer.transfers());
            }
          };
        });
  }

  /**
   * Copies the pages after {@code donePages}: the first alone (it tells how many there are), the
   * rest {@code parallelism} at a time, since a provider answers one page in a few hundred
   * milliseconds and a window holds a thousand. The window ends in the past, so the pages do not
   * shift meanwhile. The run records the highest page up to which every page is copied; a resumed
   * run fetches from there, and a page copied twice is kept once.
   */
  private void copy(
      Runs.Claimed run, String kind, int donePages, boolean done, IntFunction<Fetched> fetch) {
    if (done) {
      return;
    }
    int first = donePages + 1;
    Fetched head = fetch.apply(first);
    int pageCount = Math.max(head.pageCount(), first);
    db.useTransaction(
        h -> {
          head.insert(h);
          runs.progress(h, run, kind, first, first >= pageCount, renewal());
        });
    if (first >= pageCount) {
      return;
    }
    TreeSet<Integer> copied = new TreeSet<>();
    int[] watermark = {first};
    try (ExecutorService pool = Executors.newFixedThreadPool(parallelism)) {
      List<Future<?>> pages = new ArrayList<>();
      for (int page = first + 1; page <= pageCount; page++) {
        int number = page;
        pages.add(
            pool.submit(
                () -> {
                  Fetched fetched = fetch.apply(number);
                  db.useTransaction(fetched::insert);
                  synchronized (copied) {
                    copied.add(number);
                    int before = watermark[0];
                    while (copied.remove(watermark[0] + 1)) {
                      watermark[0]++;
                    }
                    if (watermark[0] > before) {
                      int upTo = watermark[0];
                      db.useTransaction(
                          h -> runs.progress(h, run, kind, upTo, upTo >= pageCount, renewal()));
                    }
                  }
                }));
      }
      awaitAll(pages);
    }
  }

  /** Waits for every task; the first failure cancels the rest and is rethrown. */
  private static void awaitAll(List<? extends Future<?>> tasks) {
    try {
      for (Future<?> task : tasks) {
        task.get();
      }
    } catch (ExecutionException e) {
      tasks.forEach(t -> t.cancel(true));
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new ReconciliationException("a page could not be copied: " + e.getCause());
    } catch (InterruptedException e) {
      tasks.forEach(t -> t.cancel(true));
      Thread.currentThread().interrupt();
      throw new ReconciliationException("interrupted while copying the provider's pages");
    }
  }

  private void fetchInto(Handle h, String staging, Runs.Claimed run) {
    for (int page = 1; ; page++) {
      TransactionPage answer =
          paystack
              .list(new TransactionQuery(run.from(), run.to(), null, page, pageSize))
              .orElseThrow();
      insertTransactions(h, staging, run.id(), answer);
      if (!answer.hasNext() || answer.transactions().isEmpty()) {
        break;
      }
    }
    for (int page = 1; ; page++) {
      TransferPage answer =
          paystack
              .listTransfers(new TransferQuery(run.from(), run.to(), page, pageSize))
              .orElseThrow();
      insertTransfers(h, staging, run.id(), answer.transfers());
      if (!answer.hasNext() || answer.transfers().isEmpty()) {
        break;
      }
    }
  }

  private static void insertTransactions(Handle h, String staging, UUID run, TransactionPage page) {
    int n = page.transactions().size();
    Long[] ids = new Long[n];
    String[] references = new String[n];
    String[] statuses = new String[n];
    Long[] amounts = new Long[n];
    String[] currencies = new String[n];
    for (int i = 0; i < n; i++) {
      var t = page.transactions().get(i);
      ids[i] = t.id();
      references[i] = t.reference();
      statuses[i] = t.status().paystackName();
      amounts[i] = t.amount().minor();
      currencies[i] = t.amount().currency().getCurrencyCode();
    }
    insert(h, staging, run, "transaction", ids, references, statuses, amounts, currencies);
  }

  private static void insertTransfers(Handle h, String staging, UUID run, List<Transfer> page) {
    int n = page.size();
    Long[] ids = new Long[n];
    String[] references = new String[n];
    String[] statuses = new String[n];
    Long[] amounts = new Long[n];
    String[] currencies = new String[n];
    for (int i = 0; i < n; i++) {
      Transfer t = page.get(i);
      ids[i] = t.id();
      references[i] = t.reference();
      statuses[i] = t.status();
      amounts[i] = t.amount().minor();
      currencies[i] = t.amount().currency().getCurrencyCode();
    }
    insert(h, staging, run, "transfer", ids, references, statuses, amounts, currencies);
  }

  private static void insert(
      Handle h,
      String staging,
      UUID run,
      String kind,
      Long[] ids,
      String[] references,
      String[] statuses,
      Long[] amounts,
      String[] currencies) {
    if (ids.length == 0) {
      return;
    }
    // One statement per page: unnest turns the page's columns into rows. A record already copied
    // (a page read again after a resumed run) is kept once.
    h.createUpdate(
            "INSERT INTO "
                + staging
                + " (run_id, kind, provider_id, reference, status, amount_minor, currency)"
                + " SELECT :run, :kind, u.* FROM unnest(:ids, :references, :statuses, :amounts,"
                + " :currencies) AS u ON CONFLICT DO NOTHING")
        .bind("run", run)
        .bind("kind", kind)
        .bindArray("ids", Long.class, (Object[]) ids)
        .bindArray("references", String.class, (Object[]) references)
        .bindArray("statuses", String.class, (Object[]) statuses)
        .bindArray("amounts", Long.class, (Object[]) amounts)
        .bindArray("currencies", String.class, (Object[]) currencies)
        .execute();
  }

  // ---- classifying ----

  private Map<Category, Long> classify(
      String staging, UUID run, Instant from, Instant to, boolean record) {
    return db.inTransaction(h -> classify(h, staging, run, from, to, record));
  }

  /**
   * Counts the pairs per category and, when {@code record}, writes a discrepancy for each that is
   * neither matched, ignored nor repairable (repairs are made next, and one that cannot be made
   * becomes a discrepancy then).
   */
  private Map<Category, Long> classify(
      Handle h, String staging, UUID run, Instant from, Instant to, boolean record) {
    Instant localTo = to.minus(rules.dateTolerance());
    // The staging table was (auto)analyzed when it held few rows, if ever: planned on those
    // statistics, the join below nests loops over 100,000 rows and runs for minutes instead of a
    // second (measured with the window-100k benchmark).
    h.execute("ANALYZE " + staging);
    bindAll(h.createUpdate(Matching.classifyTransactions(schema, staging)), run, from, localTo)
        .execute();
    bindAll(h.createUpdate(Matching.classifyTransfers(schema, staging)), run, from, localTo)
        .execute();
    String transactions = Matching.classifiedTransactions(schema, staging);
    String localIntents = Matching.localOnlyIntents(schema, staging);
    String transfers = Matching.classifiedTransfers(schema, staging);
    String localPayouts = Matching.localOnlyPayouts(schema, staging);
    Map<Category, Long> counts = new EnumMap<>(Category.class);
    String countSql =
        "SELECT category, count(*) FROM (SELECT category FROM "
            + staging
            + " WHERE run_id = :run UNION ALL SELECT category FROM ("
            + localIntents
            + ") li UNION ALL SELECT category FROM ("
            + localPayouts
            + ") lp) a GROUP BY category";
    bindAll(h.createQuery(countSql), run, from, localTo)
        .map((rs, c) -> Map.entry(Category.fromWireName(rs.getString(1)), rs.getLong(2)))
        .forEach(e -> counts.put(e.getKey(), e.getValue()));
    if (record) {
      String insert =
          "INSERT INTO "
              + schema
              + ".discrepancies (id, subject, reference, kind, expected, reported,"
              + " local_evidence, provider_evidence, suggested_action, source, run_id, created_at,"
              + " updated_at) ";
      String ending = " ON CONFLICT ON CONSTRAINT discrepancies_once_per_finding DO NOTHING";
      String local =
          "CASE WHEN l_status IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('status', l_status,"
              + " 'amountMinor', l_amount, 'currency', l_currency, 'createdAt', l_created) END";
      String provider =
          "jsonb_build_object('providerId', provider_id, 'status', p_status,"
              + " 'amountMinor', p_amount, 'currency', p_currency)";
      String moneyKinds = "category IN ('amount_mismatch', 'currency_mismatch')";
      String expected =
          "CASE WHEN l_status IS NULL THEN 'none' WHEN "
              + moneyKinds
              + " THEN "
              + Matching.money("l_amount", "l_currency")
              + " ELSE l_status || ' ' || "
              + Matching.money("l_amount", "l_currency")
              + " END";
      String reported =
          "CASE WHEN "
              + moneyKinds
              + " THEN "
              + Matching.money("p_amount", "p_currency")
              + " ELSE p_status || ' ' || "
              + Matching.money("p_amount", "p_currency")
              + " END";
      String common = ", :now, :now FROM ";
      bindAll(
              h.createUpdate(
                  insert
                      + "SELECT gen_random_uuid(), 'payment', reference, category, "
                      + expected
                      + ", "
                      + reported
                      + ", "
                      + local
                      + ", "
                      + provider
                      + ", CASE category WHEN 'missing_locally' THEN 'refund'"
                      + " WHEN 'duplicate' THEN 'refund' ELSE 'investigate' END,"
                      + " 'reconciliation', :run"
                      + common
                      + "("
                      + transactions
                      + ") t WHERE category NOT IN ('matched', 'ignored') AND NOT repairable"
                      + ending),
              run,
              from,
              localTo)
          .execute();
      String localOnly =
          "SELECT gen_random_uuid(), :subject, reference, category, l_status || ' ' || "
              + Matching.money("l_amount", "l_currency")
              + ", 'none', "
              + local
              + ", '{}'::jsonb, 'investigate', 'reconciliation', :run"
              + common;
      bindAll(
              h.createUpdate(
                  insert
                      + localOnly
                      + "("
                      + localIntents
                      + ") li WHERE category <> 'matched'"
                      + ending),
              run,
              from,
              localTo)
          .bind("subject", "payment")
          .execute();
      bindAll(
              h.createUpdate(
                  insert
                      + localOnly
                      + "("
                      + localPayouts
                      + ") lp WHERE category <> 'matched'"
                      + ending),
              run,
              from,
              localTo)
          .bind("subject", "payout")
          .execute();
      bindAll(
              h.createUpdate(
                  insert
                      + "SELECT gen_random_uuid(), 'payout', reference, category, "
                      + expected
                      + ", "
                      + reported
                      + ", "
                      + local
                      + ", "
                      + provider
                      + ", 'investigate', 'reconciliation', :run"
                      + common
                      + "("
                      + transfers
                      + ") tp WHERE category NOT IN ('matched', 'ignored')"
                      + ending),
              run,
              from,
              localTo)
          .execute();
    }
    return counts;
  }

  private <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindAll(
      T statement, UUID run, Instant from, Instant localTo) {
    return statement
        .bind("run", run)
        .bind("tolerance", rules.amountToleranceMinor())
        .bind("duplicateWindow", (double) rules.duplicateWindow().toSeconds())
        .bind("from", from)
        .bind("localTo", localTo)
        .bind("now", now());
  }

  // ---- repairing ----

  private record Candidate(
      String reference, long providerId, String providerStatus, long amount, String currency) {}

  /** The next repairable pairs after {@code after}, in reference order (keyset pages). */
  private List<Candidate> candidates(Handle h, String staging, UUID run, String after) {
    return h.createQuery(
            "SELECT reference, provider_id, status, amount_minor, currency FROM "
                + staging
                + " WHERE run_id = :run AND kind = 'transaction' AND repairable"
                + " AND reference > :after ORDER BY reference LIMIT 500")
        .bind("run", run)
        .bind("after", after)
        .map(
            (rs, c) ->
                new Candidate(
                    rs.getString(1),
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getLong(4),
                    rs.getString(5).strip()))
        .list();
  }

  /**
   * Settles (or marks failed or abandoned) every repairable pair through {@link Payments#settle},
   * each in its own short transaction, so a webhook settling the same payment meanwhile queues on
   * the intent's row lock and one of the two answers {@code AlreadySettled}.
   */
  private long repair(String staging, Runs.Claimed run) {
    long count = 0;
    String after = "";
    try (ExecutorService pool = Executors.newFixedThreadPool(parallelism)) {
      while (true) {
        String from = after;
        List<Candidate> page = db.withHandle(h -> candidates(h, staging, run.id(), from));
        if (page.isEmpty()) {
          return count;
        }
        AtomicLong pageRepaired = new AtomicLong();
        List<Future<?>> tasks = new ArrayList<>();
        for (Candidate candidate : page) {
          tasks.add(
              pool.submit(
                  () -> {
                    if (repairOne(candidate, run.id())) {
                      pageRepaired.incrementAndGet();
                    }
                  }));
        }
        awaitAll(tasks);
        count += pageRepaired.get();
        db.useTransaction(h -> runs.repaired(h, run, pageRepaired.get(), renewal()));
        after = page.getLast().reference();
      }
    }
  }

  /** How many pairs a run would repair (the dry run's count). */
  private long wouldRepair(Handle h, String staging, Runs.Claimed run) {
    long count = 0;
    String after = "";
    while (true) {
      List<Candidate> page = candidates(h, staging, run.id(), after);
      if (page.isEmpty()) {
        return count;
      }
      count += page.size();
      after = page.getLast().reference();
    }
  }

  private boolean repairOne(Candidate c, UUID run) {
    ProviderFacts.Outcome outcome =
        switch (c.providerStatus()) {
          case "success", "reversed" -> ProviderFacts.Outcome.SUCCESS;
          case "failed" -> ProviderFacts.Outcome.FAILED;
          default -> ProviderFacts.Outcome.ABANDONED;
        };
    ProviderFacts facts =
        new ProviderFacts(
            c.reference(),
            outcome,
            Money.of(c.amount(), Currency.getInstance(c.currency())),
            Long.toString(c.providerId()),
            null);
    try {
      Settlement result = payments.settle(facts, SettlementSource.RECONCILIATION);
      return result instanceof Settlement.Settled || result instanceof Settlement.NotPaid;
    } catch (PaymentsException e) {
      // The setup refuses the posting (e.g. the creator's ledger account is missing): the money
      // arrived, so it must not be dropped; a person settles it once the setup is fixed.
      db.useTransaction(h -> unrepairable(h, c, facts, run, e.getMessage()));
      return false;
    }
  }

  private void unrepairable(
      Handle h, Candidate c, ProviderFacts facts, UUID run, @Nullable String why) {
    h.createUpdate(
            "INSERT INTO "
                + schema
                + ".discrepancies (id, subject, reference, kind, expected, reported,"
                + " local_evidence, provider_evidence, suggested_action, source, run_id, note,"
                + " created_at, updated_at) VALUES (gen_random_uuid(), 'payment', :reference,"
                + " 'status_mismatch', 'not settled', :reported, '{}'::jsonb,"
                + " jsonb_build_object('providerId', :providerId, 'status', :status,"
                + " 'amountMinor', :amount, 'currency', :currency), 'settle', 'reconciliation',"
                + " :run, :note, :now, :now)"
                + " ON CONFLICT ON CONSTRAINT discrepancies_once_per_finding DO NOTHING")
        .bind("reference", c.reference())
        .bind("reported", c.providerStatus() + " " + facts.amount())
        .bind("providerId", c.providerId())
        .bind("status", c.providerStatus())
        .bind("amount", c.amount())
        .bind("currency", c.currency())
        .bind("run", run)
        .bind("note", why == null ? "" : why)
        .bind("now", now())
        .execute();
  }

  // ---- ledger drift ----

  private long drift(UUID run, boolean record) {
    return db.inTransaction(h -> drift(h, run, record));
  }

  private long drift(Handle h, UUID run, boolean record) {
    List<Map<String, Object>> drifts =
        h.createQuery(Matching.drift(schema, ledgerSchema)).mapToMap().list();
    if (record) {
      for (Map<String, Object> d : drifts) {
        String currency = d.get("currency").toString().strip();
        long expected = ((Number) d.get("expected")).longValue();
        long posted = ((Number) d.get("posted")).longValue();
        h.createUpdate(
                "INSERT INTO "
                    + schema
                    + ".discrepancies (id, subject, reference, kind, expected, reported,"
                    + " local_evidence, provider_evidence, suggested_action, source, run_id,"
                    + " created_at, updated_at) VALUES (gen_random_uuid(), 'balance', :account,"
                    + " 'ledger_drift', :expected, :reported,"
                    + " jsonb_build_object('expectedMinor', :e, 'currency', :c),"
                    + " jsonb_build_object('ledgerPostedMinor', :p, 'currency', :c),"
                    + " 'investigate', 'reconciliation', :run, :now, :now)"
                    + " ON CONFLICT ON CONSTRAINT discrepancies_once_per_finding DO NOTHING")
            .bind("account", d.get("account").toString())
            .bind("expected", Money.of(expected, Currency.getInstance(currency)).toString())
            .bind("reported", Money.of(posted, Currency.getInstance(currency)).toString())
            .bind("e", expected)
            .bind("p", posted)
            .bind("c", currency)
            .bind("run", run)
            .bind("now", now())
            .execute();
      }
    }
    return drifts.size();
  }

  // ---- helpers ----

  private Instant renewal() {
    return now().plus(lease);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String describe(RuntimeException e) {
    String message = e.getClass().getSimpleName() + ": " + e.getMessage();
    return message.length() > 2000 ? message.substring(0, 2000) : message;
  }

  private static void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException ignored) {
      // A listener's failure must not change the run's recorded outcome.
    }
  }
}
