package dev.odim.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many callers at once: group commit must give each its own answer, never fail a transfer for its
 * neighbour's sake, never apply a transfer twice, and leave balances that equal the sum of the
 * transfers it said it made. Each test has a schema of its own, so rows can be counted per test.
 */
@ExtendWith(PostgresExtension.class)
class LedgerConcurrencyTest {
  private static final int THREADS = 32;
  private static final int PER_THREAD = 300;
  private static final int CODE = 5;
  private static final int FUNDING = 6;
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private static Db db;
  private static SettableClock clock;

  @BeforeAll
  static void start(TestDatabase database) {
    // Room for every thread of the caller's-transaction test to hold a connection at once, plus
    // the ledger's own writer.
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(48).build();
    clock = SettableClock.standard();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void uncontendedTransfersAllLandAndAddUp() throws Exception {
    try (Fixture f = new Fixture(2_000, AccountFlags.NONE)) {
      List<Made> made =
          f.run(
              random -> {
                int debit = random.nextInt(f.ids.size());
                int credit = otherThan(debit, random, f.ids.size());
                return f.immediate(debit, credit, 1 + random.nextInt(1_000));
              });

      assertThat(made).extracting(m -> m.result().code()).containsOnly(TransferCode.CREATED);
      f.assertBalancesAddUp(made);
    }
  }

  @Test
  void oneHotAccountCreditedByEveryTransferAddsUp() throws Exception {
    try (Fixture f = new Fixture(65, AccountFlags.NONE)) {
      int hot = 0;
      List<Made> made =
          f.run(random -> f.immediate(1 + random.nextInt(64), hot, 1 + random.nextInt(1_000)));

      assertThat(made).extracting(m -> m.result().code()).containsOnly(TransferCode.CREATED);
      f.assertBalancesAddUp(made);
      assertThat(f.balance(hot).creditsPosted())
          .isEqualTo(made.stream().mapToLong(m -> m.transfer().amount()).sum());
      assertThat(f.balance(hot).version()).isEqualTo((long) THREADS * PER_THREAD);
    }
  }

  @Test
  void zipfDistributedTransfersOnLimitedAccountsRejectOnlyWhatExceedsTheLimit() throws Exception {
    try (Fixture f = new Fixture(100, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)) {
      UUID mint = f.extraAccount(AccountFlags.NONE);
      for (int i = 0; i < f.ids.size(); i++) {
        f.fund(mint, i, 5_000);
      }
      Zipf zipf = new Zipf(f.ids.size(), 1.1);
      List<Made> made =
          f.run(
              random -> {
                int debit = zipf.sample(random);
                int credit = zipf.sample(random);
                while (credit == debit) {
                  credit = zipf.sample(random);
                }
                return f.immediate(debit, credit, 1 + random.nextInt(2_000));
              });

      assertThat(made)
          .extracting(m -> m.result().code())
          .containsOnly(TransferCode.CREATED, TransferCode.EXCEEDS_CREDITS)
          .contains(TransferCode.CREATED);
      f.assertBalancesAddUp(made);
      for (int i = 0; i < f.ids.size(); i++) {
        assertThat(f.balance(i).available()).as("available of %d", i).isNotNegative();
      }
    }
  }

  @Test
  void theSameTransferSubmittedConcurrentlyIsAppliedOnce() throws Exception {
    try (Fixture f = new Fixture(2, AccountFlags.NONE)) {
      int rounds = 20;
      for (int round = 0; round < rounds; round++) {
        Transfer same = f.immediate(0, 1, 250);
        List<TransferResult> results = f.all(THREADS, i -> () -> f.ledger.transfer(same));

        List<TransferResult> created =
            results.stream().filter(r -> r instanceof TransferResult.Created).toList();
        assertThat(created).as("round %d", round).hasSize(1);
        TransferResult.Created first = (TransferResult.Created) created.getFirst();
        assertThat(results)
            .as("round %d", round)
            .filteredOn(r -> !(r instanceof TransferResult.Created))
            .hasSize(THREADS - 1)
            .containsOnly(new TransferResult.Exists(same.id(), 250, first.timestamp()));
        assertThat(f.rows("WHERE id = '" + same.id() + "'")).isEqualTo(1);
      }
      assertThat(f.rows("")).isEqualTo(rounds);
      assertThat(f.balance(0).debitsPosted()).isEqualTo(rounds * 250L);
      assertThat(f.balance(1).creditsPosted()).isEqualTo(rounds * 250L);
      assertThat(f.balance(1).version()).isEqualTo(rounds);
      assertThat(f.ledger.verify()).isEmpty();
    }
  }

  @Test
  void concurrentPostsAndVoidsOfOneHoldResolveItExactlyOnce() throws Exception {
    try (Fixture f = new Fixture(2, AccountFlags.NONE)) {
      int rounds = 20;
      long posted = 0;
      for (int round = 0; round < rounds; round++) {
        UUID hold = UUID.randomUUID();
        assertThat(
                f.ledger
                    .transfer(
                        Transfer.pending(
                            hold, f.ids.get(0), f.ids.get(1), Money.of(100, "NGN"), CODE, null))
                    .code())
            .isEqualTo(TransferCode.CREATED);
        List<Transfer> attempts = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          attempts.add(
              i % 2 == 0
                  ? Transfer.postPending(UUID.randomUUID(), hold)
                  : Transfer.voidPending(UUID.randomUUID(), hold));
        }
        List<TransferResult> results =
            f.all(THREADS, i -> () -> f.ledger.transfer(attempts.get(i)));

        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
          if (results.get(i).ok()) {
            winners.add(i);
          }
        }
        assertThat(winners).as("round %d", round).hasSize(1);
        Transfer winner = attempts.get(winners.getFirst());
        boolean wonByPost = winner.kind() == TransferKind.POST_PENDING;
        TransferCode loss =
            wonByPost ? TransferCode.PENDING_ALREADY_POSTED : TransferCode.PENDING_ALREADY_VOIDED;
        assertThat(results)
            .as("round %d", round)
            .filteredOn(r -> !r.ok())
            .extracting(TransferResult::code)
            .containsOnly(loss);
        assertThat(f.ledger.transferById(hold).orElseThrow().pendingState())
            .isEqualTo(wonByPost ? "posted" : "voided");
        assertThat(f.rows("WHERE pending_id = '" + hold + "'")).isEqualTo(1);
        assertThat(f.rows("WHERE id = '" + winner.id() + "'")).isEqualTo(1);
        if (wonByPost) {
          posted += 100;
        }
      }
      assertThat(f.balance(0))
          .returns(0L, Balance::debitsPending)
          .returns(posted, Balance::debitsPosted);
      assertThat(f.balance(1))
          .returns(0L, Balance::creditsPending)
          .returns(posted, Balance::creditsPosted);
      assertThat(f.rows("")).isEqualTo(2L * rounds);
      assertThat(f.ledger.verify()).isEmpty();
    }
  }

  /**
   * Half the threads write in their own transactions through the Handle overload, half through
   * group commit, on a few accounts in random directions. Every batch locks its accounts in
   * ascending id order, so none of them may deadlock: a deadlock would show in Db's retry count
   * (and cost a second of PostgreSQL's deadlock_timeout each).
   */
  @Test
  void callersTransactionsAndGroupCommitOnOverlappingAccountsNeverDeadlock() throws Exception {
    int threads = 16;
    int batchesPerThread = 40;
    try (Fixture f = new Fixture(12, AccountFlags.NONE)) {
      long deadlocksBefore = db.deadlocksRetried();
      List<List<Made>> perThread =
          f.all(
              threads,
              thread ->
                  () -> {
                    Random random = new Random(thread);
                    List<Made> made = new ArrayList<>();
                    for (int n = 0; n < batchesPerThread; n++) {
                      List<Transfer> batch = new ArrayList<>();
                      for (int k = 0; k < 3; k++) {
                        int debit = random.nextInt(f.ids.size());
                        batch.add(
                            f.immediate(
                                debit,
                                otherThan(debit, random, f.ids.size()),
                                1 + random.nextInt(100)));
                      }
                      List<TransferResult> results =
                          thread % 2 == 0
                              ? db.inTransaction(
                                  handle -> {
                                    handle.execute("SELECT 1"); // the host's own work
                                    return f.ledger.transfers(handle, batch);
                                  })
                              : f.ledger.transfers(batch);
                      for (int k = 0; k < batch.size(); k++) {
                        made.add(new Made(batch.get(k), results.get(k)));
                      }
                    }
                    return made;
                  });

      List<Made> made = perThread.stream().flatMap(List::stream).toList();
      assertThat(made).hasSize(threads * batchesPerThread * 3);
      assertThat(made).extracting(m -> m.result().code()).containsOnly(TransferCode.CREATED);
      f.assertBalancesAddUp(made);
      assertThat(db.deadlocksRetried() - deadlocksBefore).as("deadlocks").isZero();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static int otherThan(int index, Random random, int size) {
    int other = random.nextInt(size - 1);
    return other >= index ? other + 1 : other;
  }

  /** One transfer and what the ledger answered. */
  private record Made(Transfer transfer, TransferResult result) {}

  /** A ledger on a schema of its own, with accounts. */
  private static final class Fixture implements AutoCloseable {
    final String schema = "c_" + SCHEMAS.incrementAndGet();
    final Ledger ledger = Ledger.builder(db).schema(schema).clock(clock).build();
    final List<UUID> ids = new ArrayList<>();
    final long[] funded;

    Fixture(int accounts, AccountFlags flags) {
      funded = new long[accounts];
      List<Account> all = new ArrayList<>();
      for (int i = 0; i < accounts; i++) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        all.add(Account.of(id, "NGN", 1).withFlags(flags));
      }
      assertThat(ledger.createAccounts(all))
          .extracting(AccountResult::code)
          .containsOnly(AccountCode.CREATED);
    }

    /** Credits {@code account} from {@code source} with a transfer of another code. */
    void fund(UUID source, int account, long amount) {
      assertThat(
              ledger
                  .transfer(
                      Transfer.immediate(
                          UUID.randomUUID(),
                          source,
                          ids.get(account),
                          Money.of(amount, "NGN"),
                          FUNDING))
                  .code())
          .isEqualTo(TransferCode.CREATED);
      funded[account] += amount;
    }

    UUID extraAccount(AccountFlags flags) {
      UUID id = UUID.randomUUID();
      assertThat(ledger.createAccount(Account.of(id, "NGN", 1).withFlags(flags)).ok()).isTrue();
      return id;
    }

    Transfer immediate(int debit, int credit, long amount) {
      return Transfer.immediate(
          UUID.randomUUID(), ids.get(debit), ids.get(credit), Money.of(amount, "NGN"), CODE);
    }

    Balance balance(int account) {
      return ledger.balance(ids.get(account)).orElseThrow();
    }

    /** THREADS threads, each making PER_THREAD transfers from its own seeded random source. */
    List<Made> run(java.util.function.Function<Random, Transfer> next) throws Exception {
      List<List<Made>> perThread =
          all(
              THREADS,
              thread ->
                  () -> {
                    Random random = new Random(thread);
                    List<Made> made = new ArrayList<>(PER_THREAD);
                    for (int i = 0; i < PER_THREAD; i++) {
                      Transfer t = next.apply(random);
                      made.add(new Made(t, ledger.transfer(t)));
                    }
                    return made;
                  });
      return perThread.stream().flatMap(List::stream).toList();
    }

    /**
     * Runs {@code threads} tasks at once, released together, and returns their results in order.
     */
    <T> List<T> all(int threads, IntFunction<Callable<T>> task) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          Callable<T> work = task.apply(i);
          futures.add(
              pool.submit(
                  () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return work.call();
                  }));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
          results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
      } finally {
        pool.shutdownNow();
      }
    }

    /**
     * The invariant counted in the database: as many rows as CREATED answers, every account's
     * balances equal to the sum of the transfers it was told were made, and verify() clean.
     */
    void assertBalancesAddUp(List<Made> made) {
      Map<UUID, long[]> expected = new HashMap<>();
      long created = 0;
      for (Made m : made) {
        if (m.result() instanceof TransferResult.Created c) {
          created++;
          assertThat(c.amount()).isEqualTo(m.transfer().amount());
          expected.computeIfAbsent(m.transfer().debitAccountId(), k -> new long[2])[0] +=
              c.amount();
          expected.computeIfAbsent(m.transfer().creditAccountId(), k -> new long[2])[1] +=
              c.amount();
        } else {
          assertThat(ledger.transferById(m.transfer().id())).isEmpty();
        }
      }
      assertThat(rows("WHERE code = " + CODE)).isEqualTo(created);
      for (int i = 0; i < ids.size(); i++) {
        long[] sums = expected.getOrDefault(ids.get(i), new long[2]);
        Balance balance = balance(i);
        assertThat(balance.debitsPosted()).as("debits of %d", i).isEqualTo(sums[0]);
        assertThat(balance.creditsPosted() - funded[i]).as("credits of %d", i).isEqualTo(sums[1]);
      }
      assertThat(ledger.verify()).isEmpty();
    }

    long rows(String where) {
      return db.withHandle(
          h ->
              h.createQuery("SELECT count(*) FROM " + schema + ".transfers " + where)
                  .mapTo(Long.class)
                  .one());
    }

    @Override
    public void close() {
      ledger.close();
    }
  }

  /** Ranks drawn with probability proportional to 1 / rank^s: a few accounts get most traffic. */
  private static final class Zipf {
    private final double[] cumulative;

    Zipf(int n, double s) {
      cumulative = new double[n];
      double sum = 0;
      for (int k = 1; k <= n; k++) {
        sum += 1 / Math.pow(k, s);
        cumulative[k - 1] = sum;
      }
      for (int k = 0; k < n; k++) {
        cumulative[k] /= sum;
      }
    }

    int sample(Random random) {
      int index = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
      return Math.min(index >= 0 ? index : -index - 1, cumulative.length - 1);
    }
  }
}
