package dev.odim.bench.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.bench.ResultSink;
import dev.odim.bench.payments.HttpApi.Answer;
import dev.odim.bench.payments.PaymentsBench.Outcome;
import dev.odim.bench.payments.PaymentsBench.Size;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** The chaos and simultaneous scenarios against one running server and simulator. */
final class Scenarios {
  /** Fans' browsers at once: each request waits for its answer before the next. */
  private static final int CLIENTS = 64;

  /** What a tier costs: NGN 5,000 in kobo. */
  private static final long PRICE = 500_000;

  /** How many unexpected answers are printed on stderr before the rest are only counted. */
  private static final int SHOWN = 10;

  private static final Map<String, Object> CHAOS =
      Map.of(
          "webhookDropRate",
          0.3,
          "webhookDuplicateRate",
          0.2,
          "webhookDelayMs",
          200,
          "webhookReorder",
          true,
          "apiErrorRate",
          0.1,
          "apiLatencyMs",
          0,
          "outage",
          false);

  private static final Map<String, Object> NO_FAULTS =
      Map.of(
          "webhookDropRate",
          0.0,
          "webhookDuplicateRate",
          0.0,
          "webhookDelayMs",
          0,
          "webhookReorder",
          false,
          "apiErrorRate",
          0.0,
          "apiLatencyMs",
          0,
          "outage",
          false);

  private final ServerUnderTest sut;
  private final HttpApi api;
  private final ResultSink out;
  private final Size size;
  private final double floor;
  private final String run = Long.toString(System.currentTimeMillis(), 36);
  private final String password = "bench " + UUID.randomUUID();
  private final ObjectMapper json = new ObjectMapper();
  private final long started = System.nanoTime();

  /** Answers that were neither what the flow expects nor a retryable refusal (5xx, 4xx, I/O). */
  private final AtomicLong errors = new AtomicLong();

  /** Retryable refusals (503 with Retry-After while Paystack is failing, 409, 429). */
  private final AtomicLong retried = new AtomicLong();

  private @Nullable String tierId;
  private String[] fans = new String[0];

  Scenarios(ServerUnderTest sut, ResultSink out, Size size, double floor) {
    this.sut = sut;
    this.api = sut.api;
    this.out = out;
    this.size = size;
    this.floor = floor;
  }

  /** This run's mark in emails and references. */
  String run() {
    return run;
  }

  /** A creator with one tier, and the fans who will buy it. */
  void setUp() throws Exception {
    progress(String.format("signing up a creator and %d fans", size.fans()));
    String creator = signUp("creator", 0);
    Answer tier =
        api.server(
            "POST",
            "api/creators/me/tiers",
            creator,
            Map.of("name", "Gold", "amount", PRICE),
            null);
    if (tier.status() != 201) {
      throw new IllegalStateException("creating the tier answered " + describe(tier));
    }
    tierId = tier.body().path("id").asText();
    String[] signedUp = new String[size.fans()];
    parallel(size.fans(), 8, i -> signedUp[i] = signUp("fan", i));
    fans = signedUp;
  }

  // ---- chaos ----

  void chaos() throws Exception {
    int n = size.payments();
    long errorsBefore = errors.get();
    long retriedBefore = retried.get();
    faults(CHAOS);

    progress(String.format("chaos: %,d checkouts (10%% of Paystack calls fail)", n));
    String[] references = new String[n];
    long began = System.nanoTime();
    parallel(n, CLIENTS, i -> references[i] = checkout(fan(i), deadline(size.deadline())));
    double checkoutRate = n / PaymentsBench.seconds(began, System.nanoTime());
    progress(String.format("chaos: %,.0f checkouts/s", checkoutRate));

    progress(
        String.format(
            "chaos: paying (webhooks 30%% dropped, 20%% duplicated, delayed, reordered), %d s"
                + " outage at half way",
            size.outage().toSeconds()));
    Outage outage = new Outage(size.outage());
    AtomicInteger paid = new AtomicInteger();
    boolean[] paidOk = new boolean[n];
    AtomicLong returnsDuringOutage = new AtomicLong();
    Instant firstPay = Instant.now();
    parallel(
        n,
        CLIENTS,
        i -> {
          if (references[i] == null) {
            return;
          }
          while (outage.down()) {
            if (!size.returnsDuringOutage()) {
              Thread.sleep(20);
              continue;
            }
            // Nobody can pay while Paystack is down; fans who paid earlier come back and must
            // get a clear, retryable answer (or their payment, if a webhook settled it).
            returnDuringOutage(references, paidOk, i);
            returnsDuringOutage.incrementAndGet();
            Thread.sleep(100);
          }
          if (pay(references[i])) {
            paidOk[i] = true;
            if (paid.incrementAndGet() == n / 2) {
              outage.begin();
            }
          }
        });
    outage.awaitEnd();
    Instant lastPay = Instant.now();

    progress("chaos: waiting for webhooks in flight");
    drainWebhooks(size.drain());

    List<Integer> open = openPayments(references, paidOk);
    progress(
        String.format("chaos: %,d paid payments still open; their fans come back", open.size()));
    long verifyBegan = System.nanoTime();
    long verifyDeadline = deadline(size.deadline());
    AtomicLong closed = new AtomicLong();
    parallel(
        open.size(),
        CLIENTS,
        j -> {
          int i = open.get(j);
          if (verifyUntilSettled(fan(i), references[i], verifyDeadline)) {
            closed.incrementAndGet();
          }
        });
    double verifySeconds = PaymentsBench.seconds(verifyBegan, System.nanoTime());

    faults(NO_FAULTS);
    List<String> ours = PaymentsBench.nonNull(references);
    Outcome outcome = count(ours);
    Settling webhook = settling(ours, "webhook", firstPay, outage);
    Settling verified = settling(ours, "verify", firstPay, outage);

    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("ops_per_sec", Math.round(webhook.rate()));
    fields.put("lost", outcome.lost());
    fields.put("duplicates", outcome.duplicates());
    fields.put("violations", outcome.violations());
    fields.put("errors", errors.get() - errorsBefore);
    fields.put("baseline_ops_per_sec", Math.round(floor));
    fields.put("ratio", PaymentsBench.round3(webhook.rate() / floor));
    fields.put("payments", n);
    fields.put("paid", outcome.paidAtPaystack());
    fields.put("settled", outcome.settled());
    fields.put("settled_by_webhook", webhook.count());
    fields.put("webhook_window_seconds", PaymentsBench.round3(webhook.seconds()));
    fields.put("settled_by_verify", verified.count());
    fields.put("open_after_webhooks", open.size());
    fields.put("verify_ops_per_sec", Math.round(open.size() / verifySeconds));
    fields.put("checkouts_per_sec", Math.round(checkoutRate));
    fields.put(
        "pay_seconds", PaymentsBench.round3(Duration.between(firstPay, lastPay).toMillis() / 1e3));
    fields.put("outage_seconds", size.outage().toSeconds());
    fields.put("returns_during_outage", returnsDuringOutage.get());
    fields.put("retried", retried.get() - retriedBefore);
    fields.put("settled_unpaid", outcome.settledUnpaid());
    fields.put("unfulfilled", outcome.unfulfilled());
    fields.put("duplicate_transitions", outcome.duplicateTransitions());
    fields.put("duplicate_ledger_entries", outcome.duplicateLedgerEntries());
    fields.putAll(webhookCounts());
    fields.put("seed", ServerUnderTest.SEED);
    out.result(PaymentsBench.BENCH, "chaos", fields);
    if (closed.get() < open.size()) {
      progress(
          String.format(
              "chaos: %,d payments were still open at the deadline", open.size() - closed.get()));
    }
  }

  /**
   * Paystack's outage: begins when half the payments are paid, ends {@code length} later, on a
   * thread of its own so that payers see it come and go.
   */
  private final class Outage {
    private final Duration length;
    private final AtomicBoolean down = new AtomicBoolean();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicReference<@Nullable Instant> from = new AtomicReference<>();
    private final AtomicReference<@Nullable Instant> to = new AtomicReference<>();

    Outage(Duration length) {
      this.length = length;
    }

    boolean down() {
      return down.get();
    }

    void begin() throws Exception {
      faults(Map.of("outage", true));
      from.set(Instant.now());
      down.set(true);
      progress("chaos: Paystack is down");
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  Thread.sleep(length);
                  faults(Map.of("outage", false));
                } catch (Exception e) {
                  progress("chaos: could not end the outage: " + e);
                } finally {
                  to.set(Instant.now());
                  down.set(false);
                  progress("chaos: Paystack is back");
                  ended.countDown();
                }
              });
    }

    void awaitEnd() throws InterruptedException {
      if (from.get() != null) {
        ended.await();
      }
    }

    /** How much of [start, end] Paystack was down for. */
    Duration overlap(Instant start, Instant end) {
      Instant a = from.get();
      Instant b = to.get();
      if (a == null || b == null) {
        return Duration.ZERO;
      }
      Instant s = a.isAfter(start) ? a : start;
      Instant e = b.isBefore(end) ? b : end;
      return e.isAfter(s) ? Duration.between(s, e) : Duration.ZERO;
    }
  }

  private void returnDuringOutage(String[] references, boolean[] paidOk, int i) throws Exception {
    int j = ThreadLocalRandom.current().nextInt(Math.max(1, i));
    if (references[j] == null || !paidOk[j]) {
      return;
    }
    try {
      Answer answer =
          api.server("POST", "api/payments/" + references[j] + "/verify", fans[fan(j)], null, null);
      if (answer.status() == 200) {
        return; // settled by its webhook before the outage: nothing to ask Paystack
      }
      if (answer.retryable()) {
        retried.incrementAndGet();
        return;
      }
      unexpected("verify during the outage", answer);
    } catch (IOException e) {
      unexpected("verify during the outage", e);
    }
  }

  /** Waits until the simulator has nothing left to send and the server's inbox is processed. */
  private void drainWebhooks(Duration patience) throws Exception {
    long deadline = deadline(patience);
    int quiet = 0;
    while (System.nanoTime() < deadline && quiet < 3) {
      JsonNode state = json.readTree(sut.paystack.stateJson()).path("webhooks");
      long pending = state.path("pending").asLong();
      long backlog =
          count("SELECT count(*) FROM odim_webhooks.inbox WHERE status = 'received'", List.of());
      quiet = pending == 0 && backlog == 0 ? quiet + 1 : 0;
      Thread.sleep(200);
    }
  }

  private List<Integer> openPayments(String[] references, boolean[] paidOk) {
    List<String> paid = new ArrayList<>();
    for (int i = 0; i < references.length; i++) {
      if (paidOk[i]) {
        paid.add(references[i]);
      }
    }
    Set<String> settled = new HashSet<>(succeeded(paid));
    List<Integer> open = new ArrayList<>();
    for (int i = 0; i < references.length; i++) {
      if (paidOk[i] && !settled.contains(references[i])) {
        open.add(i);
      }
    }
    return open;
  }

  /** Settlements by one path: how many, and how fast, from the first payment to the last. */
  private record Settling(long count, double seconds) {
    double rate() {
      return seconds <= 0 ? 0 : count / seconds;
    }
  }

  private Settling settling(List<String> references, String source, Instant from, Outage outage) {
    return sut.server
        .db()
        .withHandle(
            h -> {
              var row =
                  h.createQuery(
                          "SELECT count(*) AS n, max(at) AS last FROM"
                              + " odim_payments.payment_transitions WHERE to_status = 'succeeded'"
                              + " AND source = :source AND reference = ANY(:refs)")
                      .bind("source", source)
                      .bindArray("refs", String.class, references)
                      .mapToMap()
                      .one();
              long n = ((Number) row.get("n")).longValue();
              Object last = row.get("last");
              if (n == 0 || last == null) {
                return new Settling(0, 0);
              }
              Instant end = ((java.sql.Timestamp) last).toInstant();
              Duration window = Duration.between(from, end).minus(outage.overlap(from, end));
              return new Settling(n, window.toNanos() / 1e9);
            });
  }

  // ---- simultaneous ----

  void simultaneous() throws Exception {
    int n = size.simultaneous();
    long errorsBefore = errors.get();
    faults(NO_FAULTS);
    faults(Map.of("webhookDropRate", 1.0));
    progress(String.format("simultaneous: %,d payments paid with every webhook dropped", n));
    String[] references = new String[n];
    parallel(n, CLIENTS, i -> references[i] = checkout(fan(i), deadline(size.deadline())));
    parallel(
        n,
        CLIENTS,
        i -> {
          if (references[i] != null) {
            pay(references[i]);
          }
        });
    faults(NO_FAULTS);

    progress(String.format("simultaneous: %,d fans come back at the same instant", n));
    long setupErrors = errors.get() - errorsBefore;
    AtomicLong shed = new AtomicLong();
    AtomicLong firstTime = new AtomicLong();
    long[] latencies = new long[n];
    CountDownLatch go = new CountDownLatch(1);
    long verifyDeadline = deadline(size.deadline());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      if (references[index] == null) {
        continue; // its checkout failed: counted among setup_errors
      }
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      go.await();
                      long began = System.nanoTime();
                      int answers =
                          verifyCounting(fan(index), references[index], verifyDeadline, shed);
                      if (answers == 1) {
                        firstTime.incrementAndGet();
                      }
                      latencies[index] = System.nanoTime() - began;
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    long began = System.nanoTime();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    double seconds = PaymentsBench.seconds(began, System.nanoTime());
    Arrays.sort(latencies);
    List<String> ours = PaymentsBench.nonNull(references);
    Outcome outcome = count(ours);

    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("ops_per_sec", Math.round(n / seconds));
    fields.put("p50_ms", PaymentsBench.round3(PaymentsBench.percentileMillis(latencies, 0.50)));
    fields.put("p99_ms", PaymentsBench.round3(PaymentsBench.percentileMillis(latencies, 0.99)));
    fields.put("errors", errors.get() - errorsBefore - setupErrors);
    fields.put("lost", outcome.lost());
    fields.put("duplicates", outcome.duplicates());
    fields.put("violations", outcome.violations());
    fields.put("payments", n);
    fields.put("settled", outcome.settled());
    fields.put("settled_first_answer", firstTime.get());
    fields.put("shed", shed.get());
    fields.put("setup_errors", setupErrors);
    fields.put("unfulfilled", outcome.unfulfilled());
    out.result(PaymentsBench.BENCH, "simultaneous", fields);
  }

  // ---- one fan's steps ----

  private String signUp(String role, int n) throws Exception {
    String email = "bench-" + run + "-" + role + "-" + n + "@example.com";
    Answer answer =
        api.server(
            "POST",
            "api/auth/signup",
            null,
            Map.of("email", email, "password", password, "name", "Bench " + role, "role", role),
            null);
    if (answer.status() != 201 || answer.setCookie().isEmpty()) {
      throw new IllegalStateException("signing up answered " + describe(answer));
    }
    return answer.setCookie().get().split(";", 2)[0];
  }

  /**
   * Subscribes to the tier and answers the payment's reference, trying again with the same
   * Idempotency-Key while the server answers that Paystack is failing; null when it never worked.
   */
  private @Nullable String checkout(int fan, long deadline) throws InterruptedException {
    String key = UUID.randomUUID().toString();
    while (System.nanoTime() < deadline) {
      Answer answer;
      try {
        answer = api.server("POST", "api/subscriptions", fans[fan], Map.of("tierId", tierId), key);
      } catch (IOException e) {
        unexpected("subscribe", e);
        Thread.sleep(50);
        continue;
      }
      if (answer.status() == 201) {
        return answer.body().path("reference").asText();
      }
      if (!answer.retryable()) {
        unexpected("subscribe", answer);
        return null;
      }
      retried.incrementAndGet();
      Thread.sleep(answer.backoff());
    }
    unexpected("subscribe", "still refused at the deadline");
    return null;
  }

  /** Pays at the simulator's checkout, as the fan clicking Pay. */
  private boolean pay(String reference) throws InterruptedException {
    try {
      Answer answer =
          api.control(
              "POST", "/_control/pay", Map.of("reference", reference, "outcome", "success"));
      if (answer.status() == 200) {
        return true;
      }
      unexpected("pay", answer);
    } catch (IOException e) {
      unexpected("pay", e);
    }
    return false;
  }

  private boolean verifyUntilSettled(int fan, String reference, long deadline)
      throws InterruptedException {
    return verifyCounting(fan, reference, deadline, retried) > 0;
  }

  /**
   * The fan's return: verifies until the payment reads succeeded, waiting out retryable answers
   * (each counted in {@code refusals}) and trying again after a 5xx (each counted as an error).
   * Answers how many requests it took, or 0 when it never settled.
   */
  private int verifyCounting(int fan, String reference, long deadline, AtomicLong refusals)
      throws InterruptedException {
    int requests = 0;
    while (System.nanoTime() < deadline) {
      requests++;
      Answer answer;
      try {
        answer = api.server("POST", "api/payments/" + reference + "/verify", fans[fan], null, null);
      } catch (IOException e) {
        unexpected("verify", e);
        Thread.sleep(50);
        continue;
      }
      if (answer.status() == 200 && answer.body().path("status").asText().equals("succeeded")) {
        return requests;
      }
      if (answer.status() >= 500 && !answer.retryable()) {
        // An error all the same, counted; the fan reloads the page, as people do, so that lost
        // counts money the platform failed to record, not requests it failed to answer.
        unexpected("verify", answer);
        Thread.sleep(answer.backoff());
        continue;
      }
      if (!answer.retryable()) {
        unexpected("verify", answer);
        return 0;
      }
      refusals.incrementAndGet();
      Thread.sleep(answer.backoff());
    }
    unexpected("verify " + reference, "still open at the deadline");
    return 0;
  }

  private int fan(int payment) {
    return payment % fans.length;
  }

  private void faults(Map<String, Object> faults) throws Exception {
    Answer answer = api.control("POST", "/_control/faults", faults);
    if (answer.status() != 200) {
      throw new IllegalStateException("setting faults answered " + describe(answer));
    }
  }

  // ---- counting in the database ----

  /**
   * What the database and the simulator hold for {@code references}: paid at Paystack (from the
   * simulator's own transaction list), settled (intent succeeded), settled twice (more than one
   * transition into succeeded, or more than one settlement entry crediting the creator in the
   * ledger), settled without its subscription active, and the ledger's own invariants.
   */
  private Outcome count(List<String> references) throws Exception {
    Set<String> paid = paidAtPaystack(new HashSet<>(references));
    Set<String> settled = new HashSet<>(succeeded(references));
    long lost = paid.stream().filter(r -> !settled.contains(r)).count();
    long settledUnpaid = settled.stream().filter(r -> !paid.contains(r)).count();
    long duplicateTransitions =
        count(
            "SELECT count(*) FROM (SELECT reference FROM odim_payments.payment_transitions"
                + " WHERE to_status = 'succeeded' AND reference = ANY(:refs) GROUP BY reference"
                + " HAVING count(*) > 1) twice",
            references);
    long duplicateLedger =
        count(
            "SELECT count(*) FROM (SELECT p.reference FROM odim_payments.payment_intents p JOIN"
                + " odim_ledger.transfers t ON t.metadata->>'reference' = p.reference AND"
                + " t.credit_account_id = p.creator_account AND t.code = 1 WHERE p.reference ="
                + " ANY(:refs) GROUP BY p.reference HAVING count(*) > 1) twice",
            references);
    long unfulfilled =
        count(
            "SELECT count(*) FROM odim_payments.payment_intents p JOIN odim_server.subscriptions s"
                + " ON s.payment_reference = p.reference WHERE p.reference = ANY(:refs) AND"
                + " ((p.status = 'succeeded') <> (s.status = 'active'))",
            references);
    long violations = sut.ledger.verify().size();
    return new Outcome(
        paid.size(),
        settled.size(),
        lost,
        settledUnpaid,
        duplicateTransitions,
        duplicateLedger,
        unfulfilled,
        violations);
  }

  /** The references among {@code ours} that the simulator lists as successful transactions. */
  private Set<String> paidAtPaystack(Set<String> ours) throws Exception {
    Set<String> paid = new HashSet<>();
    for (int page = 1; ; page++) {
      Answer answer = api.paystack("GET", "/transaction?status=success&perPage=1000&page=" + page);
      if (answer.status() != 200) {
        throw new IllegalStateException("listing transactions answered " + describe(answer));
      }
      JsonNode data = answer.body().path("data");
      if (data.isEmpty()) {
        return paid;
      }
      for (JsonNode transaction : data) {
        String reference = transaction.path("reference").asText();
        if (ours.contains(reference)) {
          paid.add(reference);
        }
      }
    }
  }

  private List<String> succeeded(List<String> references) {
    return sut.server
        .db()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT reference FROM odim_payments.payment_intents WHERE status ="
                            + " 'succeeded' AND reference = ANY(:refs)")
                    .bindArray("refs", String.class, references)
                    .mapTo(String.class)
                    .list());
  }

  private long count(String sql, List<String> references) {
    return sut.server
        .db()
        .withHandle(
            (Handle h) -> {
              var query = h.createQuery(sql);
              if (sql.contains(":refs")) {
                query.bindArray("refs", String.class, references);
              }
              return query.mapTo(Long.class).one();
            });
  }

  /** The simulator's own count of webhook deliveries. */
  private Map<String, Object> webhookCounts() throws Exception {
    JsonNode state = json.readTree(sut.paystack.stateJson()).path("webhooks");
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("webhook_events", state.path("events").asLong());
    counts.put("webhook_dropped", state.path("dropped").asLong());
    counts.put("webhook_deliveries", state.path("sent").asLong());
    counts.put("webhook_attempts", state.path("attempts").asLong());
    return counts;
  }

  // ---- plumbing ----

  /** A progress line on stderr, with the seconds since the scenarios began. */
  private void progress(String message) {
    out.progress(
        String.format("[%6.1f s] %s", PaymentsBench.seconds(started, System.nanoTime()), message));
  }

  private void unexpected(String what, Object answer) {
    long n = errors.incrementAndGet();
    if (n <= SHOWN) {
      progress(
          "unexpected answer to "
              + what
              + ": "
              + (answer instanceof Answer a ? describe(a) : String.valueOf(answer)));
    }
  }

  private static String describe(Answer answer) {
    String body = answer.body().toString();
    return answer.status() + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
  }

  private static long deadline(Duration after) {
    return System.nanoTime() + after.toNanos();
  }

  /** A step of work for one index. */
  @FunctionalInterface
  private interface Step {
    void run(int index) throws Exception;
  }

  /** Runs {@code step} for 0..count-1 on {@code threads} virtual threads; rethrows a failure. */
  private static void parallel(int count, int threads, Step step) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < Math.min(threads, count); t++) {
        executor.submit(
            () -> {
              try {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                  step.run(i);
                }
              } catch (Exception e) {
                failures.add(e);
              }
            });
      }
    }
    if (!failures.isEmpty()) {
      throw failures.peek();
    }
  }
}
