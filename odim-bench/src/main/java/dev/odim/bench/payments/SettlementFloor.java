package dev.odim.bench.payments;

import dev.odim.bench.ResultSink;
import dev.odim.core.Money;
import dev.odim.core.db.DatabaseUrl;
import dev.odim.core.db.Db;
import dev.odim.ledger.Ledger;
import dev.odim.payments.FeePolicy;
import dev.odim.payments.NewPayment;
import dev.odim.payments.Payments;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.Settlement;
import dev.odim.payments.SettlementSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The settlement transaction alone: {@code Payments.settle} called in-process from 64 threads on a
 * pool of their own, on the same tables and creator account as the server's payments, without HTTP,
 * the webhook inbox or the server's pool. What the webhook path could reach if nothing but the
 * settlement's own transaction cost anything; the fulfilment is empty (the server's activates a
 * subscription: one more UPDATE).
 */
final class SettlementFloor {
  static final int THREADS = 64;

  /** The pool's name, which is also its backends' {@code application_name}. */
  private static final String POOL = "bench-settlement-floor";

  /** What the floor measured. */
  record Result(
      int payments,
      double rate,
      long notSettled,
      long duplicates,
      long failures,
      double lockWaitShare) {}

  /** Attempts per settlement before it is left open (and counted lost). */
  private static final int ATTEMPTS = 3;

  private SettlementFloor() {}

  /**
   * Opens every connection of the pool before the timed phase: Hikari opens them one at a time, and
   * on a busy machine the settlements waited longer than the pool's 5 s for connections not opened
   * yet. Each task holds its connection until all have one, so the pool must grow to {@code
   * threadCount}; a task whose wait timed out asks again.
   */
  private static void warmUp(Db db, int threadCount) {
    CountDownLatch everyoneHasOne = new CountDownLatch(threadCount);
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < threadCount; t++) {
        threads.submit(
            () -> {
              while (true) {
                try {
                  db.withHandle(
                      h -> {
                        everyoneHasOne.countDown();
                        everyoneHasOne.await();
                        return null;
                      });
                  return null;
                } catch (RuntimeException e) {
                  // no connection within the pool's wait: the pool is still opening them
                }
              }
            });
      }
    }
  }

  static Result measure(DatabaseUrl url, String runId, int count, int threadCount, ResultSink out)
      throws Exception {
    try (Db db = Db.builder(url).maximumPoolSize(threadCount + 4).poolName(POOL).build();
        Ledger ledger = Ledger.builder(db).build();
        Payments payments =
            Payments.builder(db, ledger)
                .fees(FeePolicy.basisPoints(1000))
                .fulfilment((handle, intent) -> {})
                .build()) {
      // Credited to the creator the server's payments credit, so the ledger rows contend alike.
      UUID creator =
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT creator_account FROM odim_payments.payment_intents"
                              + " ORDER BY created_at DESC LIMIT 1")
                      .mapTo(UUID.class)
                      .one());
      Money price = Money.of(500_000, "NGN");
      List<String> references = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        references.add("floor-" + runId + "-" + threadCount + "-" + i);
      }
      for (int from = 0; from < count; from += 500) {
        List<String> batch = references.subList(from, Math.min(count, from + 500));
        db.useTransaction(
            h -> {
              for (String reference : batch) {
                payments.create(
                    h, new NewPayment(reference, "bench", creator, price, "bench", reference));
              }
            });
      }
      AtomicInteger next = new AtomicInteger();
      AtomicLong settled = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      AtomicReference<@Nullable Exception> firstFailure = new AtomicReference<>();
      warmUp(db, threadCount);
      Instant paidAt = Instant.now();
      WaitSampler waits = new WaitSampler(url, POOL);
      long began = System.nanoTime();
      try (waits;
          ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < threadCount; t++) {
          threads.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                  Settlement s = null;
                  for (int attempt = 1; s == null && attempt <= ATTEMPTS; attempt++) {
                    try {
                      s =
                          payments.settle(
                              new ProviderFacts(
                                  references.get(i),
                                  ProviderFacts.Outcome.SUCCESS,
                                  price,
                                  "floor-" + i,
                                  paidAt),
                              SettlementSource.WEBHOOK);
                    } catch (RuntimeException e) {
                      // Counted and shown, never hidden; tried again, as the webhook's job would
                      // be. Still open after the last attempt, it counts as lost.
                      failures.incrementAndGet();
                      firstFailure.compareAndSet(null, e);
                    }
                  }
                  if (s instanceof Settlement.Settled) {
                    settled.incrementAndGet();
                  }
                }
                return null;
              });
        }
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      StringBuilder top = new StringBuilder();
      waits.shares().entrySet().stream()
          .limit(5)
          .forEach(e -> top.append(String.format(" %s %.0f%%;", e.getKey(), e.getValue() * 100)));
      out.progress(
          String.format(
              "settlement-floor, %d thread(s): %.0f/s; busy backends were%s",
              threadCount, count / seconds, top));
      long notSettled =
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT count(*) FROM odim_payments.payment_intents WHERE reference ="
                              + " ANY(:refs) AND status <> 'succeeded'")
                      .bindArray("refs", String.class, references)
                      .mapTo(Long.class)
                      .one());
      long duplicates =
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT count(*) FROM (SELECT reference FROM"
                              + " odim_payments.payment_transitions WHERE to_status = 'succeeded'"
                              + " AND reference = ANY(:refs) GROUP BY reference HAVING count(*) >"
                              + " 1) twice")
                      .bindArray("refs", String.class, references)
                      .mapTo(Long.class)
                      .one());
      Exception failure = firstFailure.get();
      if (failure != null) {
        out.progress(
            "settlement-floor: "
                + failures.get()
                + " settle calls failed, the first with "
                + failure);
      }
      return new Result(
          count,
          settled.get() / seconds,
          notSettled,
          duplicates,
          failures.get(),
          waits.lockWaitShare());
    }
  }
}
