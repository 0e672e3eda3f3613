package dev.odim.bench.payments;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.Load;
import dev.odim.bench.ResultSink;
import dev.odim.core.db.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * Payments through the reference server and its Paystack simulator over real HTTP, with faults on,
 * then counted in the database.
 *
 * <ul>
 *   <li>{@code commit-floor}: 64 threads each committing single-row inserts over raw JDBC, before
 *       the server starts: the rate of commits this machine's PostgreSQL allows, the baseline.
 *   <li>{@code chaos}: fans subscribe ({@code POST /api/subscriptions} with an Idempotency-Key) and
 *       pay at the simulator, with 30% of webhooks dropped, 20% duplicated, all delayed and
 *       reordered, 10% of Paystack API calls failing, and a total outage in the middle of paying.
 *       The webhooks settle what they can; then each fan whose payment is still open comes back
 *       ({@code POST /api/payments/{reference}/verify}) until everything paid is settled.
 *   <li>{@code simultaneous}: 1,000 paid payments whose webhooks were all dropped, verified by
 *       1,000 fans at the same instant.
 * </ul>
 *
 * See docs/benchmarks.md for what each number measures.
 */
public final class PaymentsBench implements BenchFamily {
  static final String BENCH = "payments";
  private static final int FLOOR_THREADS = 64;

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "subscriptions paid through the reference server and the Paystack simulator with"
        + " webhook faults and an outage; settlements counted in the database";
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    Size size = Size.of(options);
    try (BenchDatabase database = BenchDatabase.open(options, out)) {
      out.progress("measuring the commit floor (" + FLOOR_THREADS + " threads)");
      double floor = commitFloor(database.url(), size.floorLength());
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(floor));
      fields.put("threads", FLOOR_THREADS);
      out.result(BENCH, "commit-floor", fields);
      out.progress("starting the Paystack simulator and the reference server");
      try (ServerUnderTest sut = ServerUnderTest.start(database, options)) {
        Scenarios scenarios = new Scenarios(sut, out, size, floor);
        scenarios.setUp();
        scenarios.chaos();
        settlementFloor(database, scenarios.run(), size, floor, out);
        scenarios.simultaneous();
      }
    }
  }

  /**
   * The settlement transaction alone, from 64 threads and from one: when 64 threads settle no
   * faster than one, settlements queue on rows every one of them writes (the platform's clearing
   * and fee accounts, the creator's balance) and not on HTTP, the inbox or the server's pool.
   */
  private static void settlementFloor(
      BenchDatabase database, String run, Size size, double floor, ResultSink out)
      throws Exception {
    out.progress(
        String.format(
            "settlement-floor: %,d Payments.settle calls in-process from %d threads, then %,d"
                + " from one",
            size.floorPayments(), SettlementFloor.THREADS, size.floorPayments() / 4));
    SettlementFloor.Result many =
        SettlementFloor.measure(
            database.url(), run, size.floorPayments(), SettlementFloor.THREADS, out);
    SettlementFloor.Result one =
        SettlementFloor.measure(database.url(), run, size.floorPayments() / 4, 1, out);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("ops_per_sec", Math.round(many.rate()));
    fields.put("lost", many.notSettled() + one.notSettled());
    fields.put("duplicates", many.duplicates() + one.duplicates());
    fields.put("baseline_ops_per_sec", Math.round(floor));
    fields.put("ratio", round3(many.rate() / floor));
    fields.put("payments", many.payments());
    fields.put("threads", SettlementFloor.THREADS);
    fields.put("single_thread_ops_per_sec", Math.round(one.rate()));
    fields.put("errors", many.failures() + one.failures());
    fields.put("lock_wait_share", round3(many.lockWaitShare()));
    out.result(BENCH, "settlement-floor", fields);
  }

  /**
   * How big a run is.
   *
   * @param payments payments in the chaos scenario
   * @param fans fans who pay them (each signs up once: an Argon2 hash apiece)
   * @param outage how long Paystack is down in the middle of paying
   * @param drain how long to wait for the webhooks still in flight before fans come back
   * @param deadline how long the fans' returns may take to close the gap
   * @param returnsDuringOutage whether fans come back (verify) while Paystack is down, which opens
   *     the server's circuit breaker to Paystack for 30 s: too long for a quick run
   * @param simultaneous payments verified at once in the simultaneous scenario
   * @param floorLength how long the commit floor is measured
   * @param floorPayments payments settled in-process for the settlement floor
   */
  record Size(
      int payments,
      int fans,
      Duration outage,
      Duration drain,
      Duration deadline,
      boolean returnsDuringOutage,
      int simultaneous,
      Duration floorLength,
      int floorPayments) {

    static Size of(BenchOptions options) {
      return options.quick()
          ? new Size(
              300,
              10,
              Duration.ofSeconds(3),
              Duration.ofSeconds(4),
              Duration.ofSeconds(15),
              false,
              100,
              Duration.ofSeconds(2),
              1_000)
          : new Size(
              10_000,
              50,
              Duration.ofSeconds(60),
              Duration.ofSeconds(120),
              Duration.ofSeconds(600),
              true,
              1_000,
              Duration.ofSeconds(10),
              10_000);
    }
  }

  /** Commits per second of single-row inserts from 64 connections: what any write path pays. */
  static double commitFloor(DatabaseUrl url, Duration length) throws Exception {
    Properties credentials = new Properties();
    if (url.user() != null) {
      credentials.setProperty("user", url.user());
    }
    if (url.password() != null) {
      credentials.setProperty("password", url.password());
    }
    try (Connection setup = DriverManager.getConnection(url.jdbcUrl(), credentials)) {
      setup.createStatement().execute("DROP TABLE IF EXISTS public.bench_payments_floor");
      setup
          .createStatement()
          .execute(
              "CREATE TABLE public.bench_payments_floor (id uuid PRIMARY KEY, reference text NOT"
                  + " NULL, at timestamptz NOT NULL DEFAULT now())");
    }
    Connection[] connections = new Connection[FLOOR_THREADS];
    PreparedStatement[] inserts = new PreparedStatement[FLOOR_THREADS];
    try {
      for (int i = 0; i < FLOOR_THREADS; i++) {
        connections[i] = DriverManager.getConnection(url.jdbcUrl(), credentials);
        inserts[i] =
            connections[i].prepareStatement(
                "INSERT INTO public.bench_payments_floor (id, reference) VALUES (?, ?)");
      }
      Load.Operation insert =
          (w, n) -> {
            inserts[w].setObject(1, UUID.randomUUID());
            inserts[w].setString(2, "sub-floor-" + w + "-" + n);
            inserts[w].executeUpdate(); // autocommit: one commit per row
          };
      Load.run(FLOOR_THREADS, Duration.ofMillis(500), insert); // warm-up
      return Load.run(FLOOR_THREADS, length, insert).opsPerSecond();
    } finally {
      for (Connection connection : connections) {
        if (connection != null) {
          connection.close();
        }
      }
      try (Connection cleanup = DriverManager.getConnection(url.jdbcUrl(), credentials)) {
        cleanup.createStatement().execute("DROP TABLE IF EXISTS public.bench_payments_floor");
      }
    }
  }

  /** Counts of what the database holds for a set of references. */
  record Outcome(
      long paidAtPaystack,
      long settled,
      long lost,
      long settledUnpaid,
      long duplicateTransitions,
      long duplicateLedgerEntries,
      long unfulfilled,
      long violations) {

    long duplicates() {
      return duplicateTransitions + duplicateLedgerEntries;
    }
  }

  static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  static double percentileMillis(long[] sortedNanos, double q) {
    return new Load.Measurement(sortedNanos.length, 0, 1, sortedNanos).percentileMillis(q);
  }

  static List<String> nonNull(String[] values) {
    List<String> list = new ArrayList<>();
    for (String value : values) {
      if (value != null) {
        list.add(value);
      }
    }
    return list;
  }
}
