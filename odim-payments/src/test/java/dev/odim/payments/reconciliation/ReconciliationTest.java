package dev.odim.payments.reconciliation;

import static dev.odim.payments.reconciliation.ReconciliationRig.NGN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.Money;
import dev.odim.ledger.Transfer;
import dev.odim.payments.PaymentStatus;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.Settlement;
import dev.odim.payments.SettlementSource;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.paystack.RecipientRequest;
import dev.odim.payments.paystack.TransferRequest;
import dev.odim.queue.Backoff;
import dev.odim.queue.Worker;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reconciliation against the Paystack simulator and a real PostgreSQL. Each test moves the clock
 * days ahead first, so that its 25-hour window holds only its own records.
 */
@ExtendWith(PostgresExtension.class)
class ReconciliationTest {
  private static ReconciliationRig rig;

  @BeforeAll
  static void open(TestDatabase database) {
    rig = new ReconciliationRig(database);
  }

  @AfterAll
  static void close() {
    rig.close();
  }

  @BeforeEach
  void freshWindow() {
    rig.clock.advance(Duration.ofDays(3));
  }

  @Test
  void everyCategoryIsProducedFromSimulatorState() {
    Reconciliation reconciliation = rig.reconciliation().build();
    UUID creator = rig.creator();
    String matched = paidAndSettled(creator, "p-m-" + UUID.randomUUID());
    String unknownPaid = ReconciliationRig.reference("ml");
    rig.atProvider(unknownPaid, 300_000, "NGN", "success");
    String unknownAbandoned = ReconciliationRig.reference("ig");
    rig.atProvider(unknownAbandoned, 300_000, "NGN", "abandoned");
    String onlyHere =
        rig.pendingIntent(ReconciliationRig.reference("map"), creator, 500_000, uid());
    settleWith(onlyHere, 500_000, "NGN");
    String paidThere =
        rig.pendingIntent(ReconciliationRig.reference("r1"), creator, 500_000, uid());
    rig.atProvider(paidThere, 500_000, "NGN", "success");
    String failedThere =
        rig.pendingIntent(ReconciliationRig.reference("r2"), creator, 500_000, uid());
    rig.atProvider(failedThere, 500_000, "NGN", "failed");
    String settledButFailed =
        rig.pendingIntent(ReconciliationRig.reference("sm"), creator, 500_000, uid());
    rig.atProvider(settledButFailed, 500_000, "NGN", "failed");
    settleWith(settledButFailed, 500_000, "NGN");
    String otherAmount =
        rig.pendingIntent(ReconciliationRig.reference("am"), creator, 500_000, uid());
    rig.atProvider(otherAmount, 400_000, "NGN", "success");
    String otherCurrency =
        rig.pendingIntent(ReconciliationRig.reference("cm"), creator, 500_000, uid());
    rig.atProvider(otherCurrency, 500_000, "GHS", "success");
    String purpose = "p-dup-" + UUID.randomUUID();
    String first = paidAndSettled(creator, purpose);
    rig.clock.advance(Duration.ofMinutes(1));
    String second = paidAndSettled(creator, purpose);
    String recipient =
        rig.paystack
            .createTransferRecipient(RecipientRequest.nuban("Ada", "0123456789", "058"))
            .orElseThrow()
            .recipientCode();
    String strayTransfer = "po-" + UUID.randomUUID().toString().substring(0, 8);
    rig.paystack
        .initiateTransfer(
            new TransferRequest(Money.of(100_000, NGN), recipient, "stray", strayTransfer))
        .orElseThrow();
    // money on the creator's balance that no payment explains
    assertThat(
            rig.ledger
                .transfer(
                    Transfer.immediate(
                        UUID.randomUUID(),
                        rig.payments.clearingAccount(NGN),
                        creator,
                        Money.of(1_234, NGN),
                        9))
                .ok())
        .isTrue();
    rig.clock.advance(Duration.ofHours(1));

    RunRecord run = reconciliation.runNow();

    assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.counts())
        .containsEntry(Category.MATCHED, 2L)
        .containsEntry(Category.DUPLICATE, 1L)
        .containsEntry(Category.MISSING_LOCALLY, 2L)
        .containsEntry(Category.IGNORED, 1L)
        .containsEntry(Category.MISSING_AT_PROVIDER, 1L)
        .containsEntry(Category.STATUS_MISMATCH, 3L)
        .containsEntry(Category.AMOUNT_MISMATCH, 1L)
        .containsEntry(Category.CURRENCY_MISMATCH, 1L)
        .containsEntry(Category.LEDGER_DRIFT, 1L);
    assertThat(run.repaired()).isEqualTo(2);
    assertThat(status(paidThere)).isEqualTo(PaymentStatus.SUCCEEDED);
    assertThat(rig.payments.transitions(paidThere).getLast().source()).isEqualTo("reconciliation");
    assertThat(status(failedThere)).isEqualTo(PaymentStatus.FAILED);

    Map<String, Discrepancy> found = new HashMap<>();
    for (Discrepancy d :
        reconciliation
            .discrepancies(DiscrepancyQuery.all().runId(run.id()).limit(500))
            .discrepancies()) {
      found.put(d.reference(), d);
    }
    assertThat(found)
        .containsOnlyKeys(
            unknownPaid,
            onlyHere,
            settledButFailed,
            otherAmount,
            otherCurrency,
            second,
            strayTransfer,
            creator.toString());
    assertThat(found.get(unknownPaid).kind()).isEqualTo(Category.MISSING_LOCALLY);
    assertThat(found.get(unknownPaid).suggestedAction()).isEqualTo(SuggestedAction.REFUND);
    assertThat(found.get(onlyHere).kind()).isEqualTo(Category.MISSING_AT_PROVIDER);
    assertThat(found.get(settledButFailed).kind()).isEqualTo(Category.STATUS_MISMATCH);
    assertThat(found.get(settledButFailed).reported()).startsWith("failed");
    assertThat(found.get(otherAmount).kind()).isEqualTo(Category.AMOUNT_MISMATCH);
    assertThat(found.get(otherAmount).expected()).isEqualTo("NGN 5000.00");
    assertThat(found.get(otherAmount).reported()).isEqualTo("NGN 4000.00");
    assertThat(found.get(otherAmount).providerEvidence()).contains("\"amountMinor\": 400000");
    assertThat(found.get(otherAmount).localEvidence()).contains("\"status\": \"pending\"");
    assertThat(found.get(otherCurrency).kind()).isEqualTo(Category.CURRENCY_MISMATCH);
    assertThat(found.get(second).kind()).isEqualTo(Category.DUPLICATE);
    assertThat(found.get(second).suggestedAction()).isEqualTo(SuggestedAction.REFUND);
    assertThat(found.get(strayTransfer).subject()).isEqualTo(Subject.PAYOUT);
    assertThat(found.get(strayTransfer).kind()).isEqualTo(Category.MISSING_LOCALLY);
    assertThat(found.get(creator.toString()).kind()).isEqualTo(Category.LEDGER_DRIFT);
    assertThat(found.values()).allMatch(d -> d.status() == DiscrepancyStatus.OPEN);
    assertThat(matched).isNotIn(found.keySet());
    assertThat(first).isNotIn(found.keySet());

    // an hour later the overlapping window finds the same things: nothing is raised twice
    rig.clock.advance(Duration.ofHours(1));
    RunRecord again = reconciliation.runNow();
    assertThat(again.repaired()).isZero();
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.discrepancies WHERE reference = ANY(?)",
                (Object) found.keySet().toArray(new String[0])))
        .isEqualTo(found.size());
    assertThat(rig.count("SELECT count(*) FROM odim_payments.reconciliation_provider_records"))
        .isZero();
  }

  @Test
  void dryRunWritesNothingAndReportsWhatARunRecords() {
    Reconciliation reconciliation = rig.reconciliation().build();
    UUID creator = rig.creator();
    String paidThere =
        rig.pendingIntent(ReconciliationRig.reference("dr"), creator, 500_000, uid());
    rig.atProvider(paidThere, 500_000, "NGN", "success");
    rig.atProvider(ReconciliationRig.reference("dm"), 200_000, "NGN", "success");
    String otherAmount =
        rig.pendingIntent(ReconciliationRig.reference("da"), creator, 500_000, uid());
    rig.atProvider(otherAmount, 100_000, "NGN", "success");
    paidAndSettled(creator, "p-" + UUID.randomUUID());
    rig.clock.advance(Duration.ofHours(1));
    Map<String, String> before = rig.snapshot();

    RunRecord dry = reconciliation.dryRun();

    assertThat(rig.snapshot()).isEqualTo(before);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.repaired()).isEqualTo(1);
    assertThat(status(paidThere)).isEqualTo(PaymentStatus.PENDING);
    RunRecord real = reconciliation.runNow();
    assertThat(real.counts()).isEqualTo(dry.counts());
    assertThat(real.repaired()).isEqualTo(dry.repaired());
    assertThat(status(paidThere)).isEqualTo(PaymentStatus.SUCCEEDED);
  }

  @Test
  void repairRacingLateWebhooksSettlesEachPaymentOnce() throws Exception {
    Reconciliation reconciliation = rig.reconciliation().build();
    UUID creator = rig.creator();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      references.add(
          rig.pendingIntent(ReconciliationRig.reference("race"), creator, 10_000, uid()));
    }
    rig.seed(references, 10_000, "success");
    rig.clock.advance(Duration.ofHours(1));
    List<ProviderFacts> facts = new ArrayList<>();
    for (String reference : references) {
      facts.add(PaystackClient.toFacts(rig.paystack.verify(reference).orElseThrow()).orElseThrow());
    }
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    List<Settlement> webhookResults = new CopyOnWriteArrayList<>();
    List<Future<?>> done = new ArrayList<>();
    Future<RunRecord> run =
        pool.submit(
            () -> {
              start.await();
              return reconciliation.runNow();
            });
    for (int t = 0; t < threads; t++) {
      List<ProviderFacts> mine = new ArrayList<>(facts);
      Collections.shuffle(mine, new Random(t));
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (ProviderFacts f : mine) {
                  webhookResults.add(rig.payments.settle(f, SettlementSource.WEBHOOK));
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    RunRecord record = run.get();
    pool.shutdown();

    String[] refs = references.toArray(new String[0]);
    assertThat(record.status()).as(record.error()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.payment_transitions"
                    + " WHERE to_status = 'succeeded' AND reference = ANY(?)",
                (Object) refs))
        .isEqualTo(200);
    assertThat(
            rig.count(
                "SELECT count(DISTINCT reference) FROM odim_payments.payment_transitions"
                    + " WHERE to_status = 'succeeded' AND reference = ANY(?)",
                (Object) refs))
        .isEqualTo(200);
    long byReconciliation =
        rig.count(
            "SELECT count(*) FROM odim_payments.payment_transitions WHERE to_status = 'succeeded'"
                + " AND source = 'reconciliation' AND reference = ANY(?)",
            (Object) refs);
    long byWebhook = webhookResults.stream().filter(s -> s instanceof Settlement.Settled).count();
    assertThat(byReconciliation).isEqualTo(record.repaired());
    assertThat(byReconciliation + byWebhook).isEqualTo(200);
    // 200 payments of NGN 100 with a 10% fee: the creator holds exactly 200 shares of NGN 90
    assertThat(rig.ledger.balance(creator).orElseThrow().creditsPosted()).isEqualTo(200 * 9_000);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void twoInstancesOnTheHourRunItOnce() {
    Reconciliation one = rig.reconciliation().build();
    Reconciliation two = rig.reconciliation().build();
    Instant hour = rig.clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    rig.clock.set(hour.minusSeconds(1));
    long before =
        rig.count(
            "SELECT count(*) FROM odim_payments.reconciliation_runs WHERE trigger = 'schedule'");
    try (Worker a = worker(one, true);
        Worker b = worker(two, true)) {
      rig.clock.set(hour.plusMillis(10));
      await(
          "the hourly run finished",
          () ->
              rig.count(
                      "SELECT count(*) FROM odim_payments.reconciliation_runs"
                          + " WHERE trigger = 'schedule' AND status = 'succeeded'")
                  > before);
      sleep(Duration.ofMillis(500));
    }
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.reconciliation_runs WHERE trigger = 'schedule'"))
        .isEqualTo(before + 1);
    assertThat(one.counters().succeeded() + two.counters().succeeded())
        .as(
            rig.db
                .withHandle(
                    h ->
                        h.createQuery(
                                "SELECT run_key, trigger, status, attempts, error FROM odim_payments.reconciliation_runs")
                            .mapToMap()
                            .list())
                .toString())
        .isEqualTo(1);
  }

  @Test
  void aRunFailingMidWayResumesCleanly() {
    List<RunRecord> failures = new CopyOnWriteArrayList<>();
    Reconciliation reconciliation =
        rig.reconciliation()
            .retryBackoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(40)))
            .listener(
                new ReconciliationListener() {
                  @Override
                  public void failed(RunRecord run, Throwable error) {
                    failures.add(run);
                    rig.failListsFromPage = 0; // Paystack recovers
                  }
                })
            .build();
    UUID creator = rig.creator();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      references.add(rig.pendingIntent(ReconciliationRig.reference("rs"), creator, 10_000, uid()));
    }
    rig.seed(references, 10_000, "success");
    rig.clock.advance(Duration.ofHours(1));
    rig.transactionPagesServed.clear();
    rig.failListsFromPage = 2;

    UUID job;
    try (Worker worker = worker(reconciliation, false)) {
      job = reconciliation.enqueueRun(rig.queue);
      await(
          "the run succeeded",
          () -> {
            rig.clock.advance(Duration.ofMillis(50)); // the queue's retry waits on this clock
            return reconciliation
                .runOfJob(job)
                .map(r -> r.status() == RunStatus.SUCCEEDED)
                .orElse(false);
          });
    }

    RunRecord run = reconciliation.runOfJob(job).orElseThrow();
    assertThat(failures).hasSize(1);
    assertThat(failures.getFirst().error()).isNotEmpty();
    assertThat(run.attempts()).isEqualTo(2);
    assertThat(run.trigger()).isEqualTo(RunTrigger.MANUAL);
    assertThat(run.count(Category.STATUS_MISMATCH)).isEqualTo(120);
    assertThat(run.repaired()).isEqualTo(120);
    // the second attempt went on from page 2: page 1 was fetched once
    assertThat(rig.transactionPagesServed.get(1).get()).isEqualTo(1);
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.payment_intents"
                    + " WHERE status = 'succeeded' AND reference = ANY(?)",
                (Object) references.toArray(new String[0])))
        .isEqualTo(120);
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.reconciliation_provider_records"
                    + " WHERE run_id = ?",
                run.id()))
        .isZero();
  }

  @Test
  void resolvingNeedsTheCurrentVersionAndARepeatChangesNothing() {
    Reconciliation reconciliation = rig.reconciliation().build();
    UUID creator = rig.creator();
    String purpose = "p-dup-" + UUID.randomUUID();
    paidAndSettled(creator, purpose);
    rig.clock.advance(Duration.ofMinutes(1));
    String second = paidAndSettled(creator, purpose);
    String unknown = ReconciliationRig.reference("un");
    rig.atProvider(unknown, 300_000, "NGN", "success");
    rig.clock.advance(Duration.ofHours(1));
    RunRecord run = reconciliation.runNow();
    Discrepancy duplicate =
        reconciliation
            .discrepancies(DiscrepancyQuery.open().kind(Category.DUPLICATE).runId(run.id()))
            .discrepancies()
            .getFirst();
    assertThat(duplicate.reference()).isEqualTo(second);
    Resolution refund = new Resolution(Resolution.Action.REFUND, "user:1", "");

    assertThat(reconciliation.resolve(duplicate.id(), refund, duplicate.version() + 1))
        .isInstanceOf(ResolveResult.Conflict.class);
    ResolveResult resolved = reconciliation.resolve(duplicate.id(), refund, duplicate.version());
    ResolveResult repeated = reconciliation.resolve(duplicate.id(), refund, duplicate.version());
    ResolveResult other =
        reconciliation.resolve(
            duplicate.id(),
            new Resolution(Resolution.Action.MARK_RESOLVED, "user:2", "done"),
            duplicate.version());

    assertThat(resolved).isInstanceOf(ResolveResult.Resolved.class);
    Discrepancy closed = ((ResolveResult.Resolved) resolved).discrepancy();
    assertThat(closed.status()).isEqualTo(DiscrepancyStatus.RESOLVED);
    assertThat(closed.resolution()).isEqualTo("refunded");
    assertThat(closed.resolvedBy()).isEqualTo("user:1");
    assertThat(closed.version()).isEqualTo(duplicate.version() + 1);
    assertThat(repeated).isInstanceOf(ResolveResult.AlreadyResolved.class);
    assertThat(other).isInstanceOf(ResolveResult.Conflict.class);
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.refunds WHERE payment_reference = ?", second))
        .isEqualTo(1);

    Discrepancy missing =
        reconciliation
            .discrepancies(DiscrepancyQuery.all().reference(unknown))
            .discrepancies()
            .getFirst();
    assertThat(
            reconciliation.resolve(
                missing.id(),
                new Resolution(Resolution.Action.SETTLE, "user:1", ""),
                missing.version()))
        .isInstanceOf(ResolveResult.NotApplicable.class);
    assertThat(
            reconciliation.resolve(
                missing.id(),
                new Resolution(Resolution.Action.IGNORE, "user:1", "refunded in the dashboard"),
                missing.version()))
        .isInstanceOfSatisfying(
            ResolveResult.Resolved.class,
            r -> assertThat(r.discrepancy().status()).isEqualTo(DiscrepancyStatus.IGNORED));
    assertThat(
            reconciliation.resolve(
                UUID.randomUUID(), new Resolution(Resolution.Action.IGNORE, "user:1", uid()), 1))
        .isInstanceOf(ResolveResult.NotFound.class);
  }

  @Test
  void aRepairTheSetupRefusesWaitsForAPersonWhoSettlesIt() {
    Reconciliation reconciliation = rig.reconciliation().build();
    UUID creator = UUID.randomUUID(); // no ledger account yet: the settlement cannot post
    String reference =
        rig.pendingIntent(ReconciliationRig.reference("ns"), creator, 500_000, uid());
    rig.atProvider(reference, 500_000, "NGN", "success");
    rig.clock.advance(Duration.ofHours(1));

    RunRecord run = reconciliation.runNow();

    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.repaired()).isZero();
    assertThat(status(reference)).isEqualTo(PaymentStatus.PENDING);
    Discrepancy waiting =
        reconciliation
            .discrepancies(DiscrepancyQuery.open().reference(reference))
            .discrepancies()
            .getFirst();
    assertThat(waiting.kind()).isEqualTo(Category.STATUS_MISMATCH);
    assertThat(waiting.suggestedAction()).isEqualTo(SuggestedAction.SETTLE);

    assertThat(
            rig.ledger
                .createAccount(
                    dev.odim.ledger.Account.of(creator, "NGN", 900)
                        .withFlags(dev.odim.ledger.AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS))
                .ok())
        .isTrue();
    ResolveResult settled =
        reconciliation.resolve(
            waiting.id(),
            new Resolution(Resolution.Action.SETTLE, "user:7", "account created"),
            waiting.version());

    assertThat(settled).isInstanceOf(ResolveResult.Resolved.class);
    assertThat(status(reference)).isEqualTo(PaymentStatus.SUCCEEDED);
    assertThat(rig.payments.transitions(reference).getLast().source()).isEqualTo("admin");
    assertThat(rig.ledger.balance(creator).orElseThrow().creditsPosted()).isEqualTo(450_000);
  }

  @Test
  void discrepanciesArePagedWithACursor() {
    Reconciliation reconciliation = rig.reconciliation().build();
    List<String> unknown = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      unknown.add(ReconciliationRig.reference("pg"));
    }
    rig.seed(unknown, 50_000, "success");
    rig.clock.advance(Duration.ofHours(1));
    RunRecord run = reconciliation.runNow();

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      DiscrepancyPage page =
          reconciliation.discrepancies(
              DiscrepancyQuery.open().runId(run.id()).limit(3).cursor(cursor));
      page.discrepancies().forEach(d -> seen.add(d.reference()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(unknown);
    RunPage runs = reconciliation.runs(RunQuery.all().limit(1));
    assertThat(runs.runs().getFirst().id()).isEqualTo(run.id());
    assertThat(reconciliation.runs(RunQuery.all().limit(1).cursor(runs.nextCursor())).runs())
        .isNotEmpty()
        .noneMatch(r -> r.id().equals(run.id()));
  }

  // ---- helpers ----

  /** A worker running reconciliation's jobs, carrying the hourly schedule when asked. */
  private static Worker worker(Reconciliation reconciliation, boolean hourly) {
    var builder =
        reconciliation
            .register(rig.queue.worker().queue(Reconciliation.QUEUE))
            .pollInterval(Duration.ofMillis(20));
    return (hourly ? builder.schedule(reconciliation.hourly()) : builder).start();
  }

  /** A purpose id of its own, so that no two test payments look like duplicates. */
  private static String uid() {
    return UUID.randomUUID().toString();
  }

  /** A pending intent of NGN 5,000 paid at the simulator and settled as its webhook would. */
  private static String paidAndSettled(UUID creator, String purposeId) {
    String reference =
        rig.pendingIntent(ReconciliationRig.reference("ok"), creator, 500_000, purposeId);
    rig.atProvider(reference, 500_000, "NGN", "success");
    ProviderFacts facts =
        PaystackClient.toFacts(rig.paystack.verify(reference).orElseThrow()).orElseThrow();
    assertThat(rig.payments.settle(facts, SettlementSource.WEBHOOK))
        .isInstanceOf(Settlement.Settled.class);
    return reference;
  }

  /** Settles as if the provider had said so, whatever it actually holds. */
  private static void settleWith(String reference, long kobo, String currency) {
    assertThat(
            rig.payments.settle(
                new ProviderFacts(
                    reference,
                    ProviderFacts.Outcome.SUCCESS,
                    Money.of(kobo, java.util.Currency.getInstance(currency)),
                    "999",
                    rig.clock.instant()),
                SettlementSource.VERIFY))
        .isInstanceOf(Settlement.Settled.class);
  }

  private static PaymentStatus status(String reference) {
    return rig.payments.find(reference).orElseThrow().status();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      sleep(Duration.ofMillis(20));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
