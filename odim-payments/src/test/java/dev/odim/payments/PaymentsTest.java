package dev.odim.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.Money;
import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.ledger.Account;
import dev.odim.ledger.Ledger;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Settlement happens exactly once per paid reference, whoever asks and however often. */
@ExtendWith(PostgresExtension.class)
class PaymentsTest {
  private static final Currency NGN = Currency.getInstance("NGN");
  private static final SettableClock clock =
      SettableClock.at(Instant.parse("2026-12-01T12:00:00Z"));
  private static final ConcurrentHashMap<String, AtomicInteger> fulfilled =
      new ConcurrentHashMap<>();
  private static Db db;
  private static Ledger ledger;
  private static Payments payments;

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(40).build();
    ledger = Ledger.builder(db).clock(clock).build();
    payments =
        Payments.builder(db, ledger)
            .clock(clock)
            .fees(FeePolicy.basisPoints(1000))
            .fulfilment(
                (handle, intent) -> {
                  if (intent.purpose().equals("explodes")) {
                    throw new IllegalStateException("the booking service is down");
                  }
                  fulfilled
                      .computeIfAbsent(intent.reference(), r -> new AtomicInteger())
                      .incrementAndGet();
                })
            .build();
  }

  @AfterAll
  static void close() {
    payments.close();
    ledger.close();
    db.close();
  }

  private static UUID creator() {
    UUID id = UUID.randomUUID();
    assertThat(ledger.createAccount(Account.of(id, "NGN", 300)).ok()).isTrue();
    return id;
  }

  private static String reference() {
    return "ref-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private static NewPayment payment(String reference, UUID creator, long kobo) {
    return new NewPayment(
        reference, "fan-1", creator, Money.of(kobo, NGN), "subscription", "sub-1");
  }

  private static ProviderFacts paid(String reference, long kobo) {
    return new ProviderFacts(
        reference,
        ProviderFacts.Outcome.SUCCESS,
        Money.of(kobo, NGN),
        "trx_" + reference,
        clock.instant());
  }

  private static long credits(UUID account) {
    return ledger.balance(account).orElseThrow().creditsPosted();
  }

  @Test
  void creationIsIdempotentOnTheReference() {
    UUID creator = creator();
    String reference = reference();

    assertThat(payments.create(payment(reference, creator, 500_000)))
        .isInstanceOf(Creation.Created.class);
    assertThat(payments.create(payment(reference, creator, 500_000)))
        .isInstanceOf(Creation.Exists.class);
    Creation other = payments.create(payment(reference, creator, 999_999));
    assertThat(other).isInstanceOf(Creation.ExistsWithDifferentFields.class);
    assertThat(other.intent().amount()).isEqualTo(Money.of(500_000, NGN));
  }

  @Test
  void aSettlementPostsTheSplitFulfilsAndRecordsItsPath() {
    UUID creator = creator();
    String reference = reference();
    payments.create(payment(reference, creator, 500_000));
    long feesBefore = credits(payments.feeAccount(NGN));

    Settlement settlement = payments.settle(paid(reference, 500_000), SettlementSource.WEBHOOK);

    assertThat(settlement).isInstanceOf(Settlement.Settled.class);
    PaymentIntent intent = payments.find(reference).orElseThrow();
    assertThat(intent.status()).isEqualTo(PaymentStatus.SUCCEEDED);
    assertThat(intent.providerId()).isEqualTo("trx_" + reference);
    assertThat(intent.settledAt()).isNotNull();
    assertThat(credits(creator)).isEqualTo(450_000);
    assertThat(credits(payments.feeAccount(NGN)) - feesBefore).isEqualTo(50_000);
    assertThat(fulfilled.get(reference).get()).isEqualTo(1);
    assertThat(payments.transitions(reference))
        .extracting(t -> t.to() + " by " + t.source())
        .containsExactly("CREATED by api", "SUCCEEDED by webhook");
  }

  @Test
  void concurrentSettlementsOfOneReferenceSettleOnce() throws Exception {
    UUID creator = creator();
    String reference = reference();
    payments.create(payment(reference, creator, 1_000_000));
    SettlementSource[] paths = SettlementSource.values();
    List<Callable<Settlement>> tasks = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      SettlementSource path = paths[1 + i % 3];
      tasks.add(() -> payments.settle(paid(reference, 1_000_000), path));
    }

    List<Settlement> results = runAll(tasks);

    assertThat(results.stream().filter(r -> r instanceof Settlement.Settled).count()).isEqualTo(1);
    assertThat(results.stream().filter(r -> r instanceof Settlement.AlreadySettled).count())
        .isEqualTo(31);
    assertThat(credits(creator)).isEqualTo(900_000);
    assertThat(fulfilled.get(reference).get()).isEqualTo(1);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void manyPaymentsSettledFromManyPathsAtOnceAddUpExactly() throws Exception {
    UUID creator = creator();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String reference = reference();
      references.add(reference);
      payments.create(payment(reference, creator, 10_000 + i));
    }
    List<Callable<Settlement>> tasks = new ArrayList<>();
    for (int copy = 0; copy < 3; copy++) {
      for (int i = 0; i < references.size(); i++) {
        String reference = references.get(i);
        long kobo = 10_000 + i;
        tasks.add(() -> payments.settle(paid(reference, kobo), SettlementSource.WEBHOOK));
      }
    }
    Collections.shuffle(tasks);

    List<Settlement> results = runAll(tasks);

    assertThat(results.stream().filter(r -> r instanceof Settlement.Settled).count())
        .isEqualTo(200);
    long expected = 0;
    for (int i = 0; i < 200; i++) {
      long kobo = 10_000 + i;
      expected += kobo - kobo * 1000 / 10_000;
    }
    assertThat(credits(creator)).isEqualTo(expected);
    long settledInDb =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_payments.payment_intents"
                            + " WHERE creator_account = :c AND status = 'succeeded'")
                    .bind("c", creator)
                    .mapTo(Long.class)
                    .one());
    assertThat(settledInDb).isEqualTo(200);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void anotherAmountIsADiscrepancyAndFulfilsNothing() {
    UUID creator = creator();
    String reference = reference();
    payments.create(payment(reference, creator, 500_000));

    Settlement settlement = payments.settle(paid(reference, 5_000), SettlementSource.VERIFY);

    assertThat(settlement).isInstanceOf(Settlement.Mismatch.class);
    assertThat(payments.find(reference).orElseThrow().status()).isEqualTo(PaymentStatus.CREATED);
    assertThat(ledger.balance(creator).orElseThrow().creditsPosted()).isZero();
    assertThat(fulfilled).doesNotContainKey(reference);
    long discrepancies =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_payments.discrepancies"
                            + " WHERE reference = :r AND kind = 'amount_mismatch' AND status = 'open'")
                    .bind("r", reference)
                    .mapTo(Long.class)
                    .one());
    assertThat(discrepancies).isEqualTo(1);
  }

  @Test
  void aPaymentWeNeverCreatedIsReportedNotCrashedOn() {
    assertThat(payments.settle(paid("ref-never-made", 100), SettlementSource.WEBHOOK))
        .isEqualTo(new Settlement.UnknownReference("ref-never-made"));
  }

  @Test
  void aFailureThenALateSuccessStillSettles() {
    UUID creator = creator();
    String reference = reference();
    payments.create(payment(reference, creator, 20_000));

    Settlement failed =
        payments.settle(
            new ProviderFacts(
                reference, ProviderFacts.Outcome.FAILED, Money.of(20_000, NGN), "trx_1", null),
            SettlementSource.WEBHOOK);
    Settlement late = payments.settle(paid(reference, 20_000), SettlementSource.RECONCILIATION);

    assertThat(failed).isInstanceOf(Settlement.NotPaid.class);
    assertThat(((Settlement.NotPaid) failed).intent().status()).isEqualTo(PaymentStatus.FAILED);
    assertThat(late).isInstanceOf(Settlement.Settled.class);
    assertThat(credits(creator)).isEqualTo(18_000);
  }

  @Test
  void whenFulfilmentFailsNothingOfTheSettlementStands() {
    UUID creator = creator();
    String reference = reference();
    payments.create(
        new NewPayment(reference, "fan-1", creator, Money.of(30_000, NGN), "explodes", "b-1"));

    assertThatThrownBy(() -> payments.settle(paid(reference, 30_000), SettlementSource.WEBHOOK))
        .hasMessageContaining("booking service is down");

    assertThat(payments.find(reference).orElseThrow().status()).isEqualTo(PaymentStatus.CREATED);
    assertThat(credits(creator)).isZero();
  }

  @Test
  void anUnknownCreatorAccountRefusesTheSettlementAndWritesNothing() {
    String reference = reference();
    payments.create(payment(reference, UUID.randomUUID(), 40_000));

    assertThatThrownBy(() -> payments.settle(paid(reference, 40_000), SettlementSource.WEBHOOK))
        .isInstanceOf(PaymentsException.class)
        .hasMessageContaining(reference);
    assertThat(payments.find(reference).orElseThrow().status()).isEqualTo(PaymentStatus.CREATED);
  }

  @Test
  void theDatabaseRefusesAMoveTheStateMachineDoesNotHave() {
    UUID creator = creator();
    String reference = reference();
    payments.create(payment(reference, creator, 500));
    payments.settle(paid(reference, 500), SettlementSource.WEBHOOK);

    assertThatThrownBy(
            () ->
                db.useTransaction(
                    h ->
                        h.createUpdate(
                                "UPDATE odim_payments.payment_intents SET status = 'pending',"
                                    + " version = version + 1, settled_at = NULL WHERE reference = :r")
                            .bind("r", reference)
                            .execute()))
        .hasStackTraceContaining("cannot go from succeeded to pending");
  }

  @Test
  void settlementsFromManyThreadsShareTransactionsAndEachSettlesOnce() throws Exception {
    UUID creator = creator();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String reference = reference();
      references.add(reference);
      payments.create(payment(reference, creator, 10_000));
    }
    // The top-level transaction of each settlement, as its callback saw it.
    Set<Long> transactions = ConcurrentHashMap.newKeySet();
    AfterSettlement note =
        (handle, settlement) -> {
          if (settlement instanceof Settlement.Settled) {
            transactions.add(handle.createQuery("SELECT txid_current()").mapTo(Long.class).one());
          }
        };
    List<Callable<Settlement>> tasks = new ArrayList<>();
    for (int copy = 0; copy < 2; copy++) {
      for (String reference : references) {
        tasks.add(() -> payments.settle(paid(reference, 10_000), SettlementSource.WEBHOOK, note));
      }
    }
    Collections.shuffle(tasks);

    List<Settlement> results = runAll(tasks, 64);

    assertThat(results.stream().filter(r -> r instanceof Settlement.Settled).count())
        .isEqualTo(400);
    assertThat(results.stream().filter(r -> r instanceof Settlement.AlreadySettled).count())
        .isEqualTo(400);
    assertThat(transactions).hasSizeLessThan(400); // batched, not one commit each
    assertThat(countSucceededTransitions(references)).isEqualTo(400);
    assertThat(countSettlementCredits(creator)).isEqualTo(400);
    assertThat(credits(creator)).isEqualTo(400 * 9_000);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void failuresSuccessesAndMismatchesToldAtOnceEachMoveAnIntentAlongItsPath() throws Exception {
    UUID creator = creator();
    List<String> references = new ArrayList<>();
    List<Callable<Settlement>> tasks = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      String reference = reference();
      references.add(reference);
      payments.create(payment(reference, creator, 10_000));
      ProviderFacts failed =
          new ProviderFacts(
              reference, ProviderFacts.Outcome.FAILED, Money.of(10_000, NGN), "trx_f" + i, null);
      tasks.add(() -> payments.settle(failed, SettlementSource.WEBHOOK));
      tasks.add(() -> payments.settle(paid(reference, 10_000), SettlementSource.VERIFY));
      tasks.add(() -> payments.settle(paid(reference, 9_999), SettlementSource.WEBHOOK));
    }
    Collections.shuffle(tasks);

    List<Settlement> results = runAll(tasks, 64);

    assertThat(results.stream().filter(r -> r instanceof Settlement.Settled).count())
        .isEqualTo(150);
    assertThat(countSucceededTransitions(references)).isEqualTo(150);
    // Every move raised the version by one (the trigger checks it) and was recorded once; the
    // creation is the first transition.
    long drifted =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_payments.payment_intents p WHERE reference ="
                            + " ANY(:refs) AND (status <> 'succeeded' OR version <> (SELECT"
                            + " count(*) FROM odim_payments.payment_transitions t"
                            + " WHERE t.reference = p.reference))")
                    .bindArray("refs", String.class, references)
                    .mapTo(Long.class)
                    .one());
    assertThat(drifted).isZero();
    assertThat(credits(creator)).isEqualTo(150 * 9_000);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void aThrowingFulfilmentInABatchFailsOnlyItsOwnSettlement() throws Exception {
    UUID creator = creator();
    List<String> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    List<Callable<Object>> tasks = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String reference = reference();
      boolean explodes = i % 10 == 0;
      (explodes ? bad : good).add(reference);
      payments.create(
          new NewPayment(
              reference,
              "fan-1",
              creator,
              Money.of(10_000, NGN),
              explodes ? "explodes" : "subscription",
              "s-" + i));
      tasks.add(
          () -> {
            try {
              return payments.settle(paid(reference, 10_000), SettlementSource.WEBHOOK);
            } catch (IllegalStateException e) {
              return e;
            }
          });
    }
    Collections.shuffle(tasks);

    List<Object> results = runAll(tasks, 64);

    assertThat(results.stream().filter(r -> r instanceof Settlement.Settled).count())
        .isEqualTo(270);
    assertThat(results.stream().filter(r -> r instanceof IllegalStateException).count())
        .isEqualTo(30);
    assertThat(countSucceededTransitions(good)).isEqualTo(270);
    assertThat(countSucceededTransitions(bad)).isZero();
    for (String reference : bad) {
      assertThat(payments.find(reference).orElseThrow().status()).isEqualTo(PaymentStatus.CREATED);
    }
    assertThat(countSettlementCredits(creator)).isEqualTo(270);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void theCallersWritesCommitWithTheSettlementOrNotAtAll() throws Exception {
    db.useTransaction(
        h -> h.execute("CREATE TABLE IF NOT EXISTS settle_notes (reference text PRIMARY KEY)"));
    UUID creator = creator();
    List<Callable<Object>> tasks = new ArrayList<>();
    List<String> kept = new CopyOnWriteArrayList<>();
    List<String> refused = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      String reference = reference();
      boolean refuse = i % 4 == 0;
      (refuse ? refused : kept).add(reference);
      payments.create(payment(reference, creator, 10_000));
      AfterSettlement after =
          (handle, settlement) -> {
            handle.execute("INSERT INTO settle_notes VALUES (?)", reference);
            if (refuse) {
              throw new IllegalArgumentException("the card could not be saved");
            }
          };
      tasks.add(
          () -> {
            try {
              return payments.settle(paid(reference, 10_000), SettlementSource.VERIFY, after);
            } catch (IllegalArgumentException e) {
              return e;
            }
          });
    }

    List<Object> results = runAll(tasks, 32);

    assertThat(results.stream().filter(r -> r instanceof IllegalArgumentException).count())
        .isEqualTo(25);
    long notes =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM settle_notes WHERE reference = ANY(:r)")
                    .bind("r", kept.toArray(String[]::new))
                    .mapTo(Long.class)
                    .one());
    long refusedNotes =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM settle_notes WHERE reference = ANY(:r)")
                    .bind("r", refused.toArray(String[]::new))
                    .mapTo(Long.class)
                    .one());
    assertThat(notes).isEqualTo(75);
    assertThat(refusedNotes).isZero();
    assertThat(countSucceededTransitions(kept)).isEqualTo(75);
    assertThat(countSucceededTransitions(refused)).isZero();
    assertThat(countSettlementCredits(creator)).isEqualTo(75);
  }

  @Test
  void aLedgerRefusalInABatchReachesOnlyItsOwnCaller() throws Exception {
    UUID creator = creator();
    List<Callable<Object>> tasks = new ArrayList<>();
    String orphan = reference();
    payments.create(payment(orphan, UUID.randomUUID(), 10_000)); // no such ledger account
    tasks.add(() -> settleOrException(orphan));
    List<String> good = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String reference = reference();
      good.add(reference);
      payments.create(payment(reference, creator, 10_000));
      tasks.add(() -> settleOrException(reference));
    }
    Collections.shuffle(tasks);

    List<Object> results = runAll(tasks, 32);

    assertThat(results.stream().filter(r -> r instanceof PaymentsException).count()).isEqualTo(1);
    assertThat(countSucceededTransitions(good)).isEqualTo(60);
    assertThat(countSucceededTransitions(List.of(orphan))).isZero();
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void settlementBatchingIsValidated() {
    assertThatThrownBy(() -> Payments.builder(db, ledger).settlementBatching(0, 10).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageContaining("settlementBatching");
    assertThatThrownBy(() -> Payments.builder(db, ledger).settlementBatching(1, 0).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageContaining("maxBatchSize");
  }

  private static Object settleOrException(String reference) {
    try {
      return payments.settle(paid(reference, 10_000), SettlementSource.WEBHOOK);
    } catch (PaymentsException e) {
      return e;
    }
  }

  private static long countSucceededTransitions(List<String> references) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM odim_payments.payment_transitions"
                        + " WHERE reference = ANY(:r) AND to_status = 'succeeded'")
                .bind("r", references.toArray(String[]::new))
                .mapTo(Long.class)
                .one());
  }

  /** Settlement transfers crediting {@code creator}, counted in the ledger's own table. */
  private static long countSettlementCredits(UUID creator) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM odim_ledger.transfers"
                        + " WHERE credit_account_id = :c AND code = 1")
                .bind("c", creator)
                .mapTo(Long.class)
                .one());
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
    return runAll(tasks, 32);
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<T> results = new ArrayList<>();
    try {
      for (Future<T> f : pool.invokeAll(tasks)) {
        results.add(f.get());
      }
    } finally {
      pool.shutdown();
    }
    return results;
  }
}
