package dev.odim.bench.webhooks;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.Load;
import dev.odim.bench.ResultSink;
import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.Worker;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.servlet.OdimServlet;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Webhooks;
import dev.odim.webhooks.provider.Paystack;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Signed Paystack {@code charge.success} deliveries, each unique, over real HTTP on loopback from
 * 64 keep-alive connections into the real endpoint (odim-webhooks' {@code WebhookEndpoint} behind
 * the Servlet adapter in Jetty), with the inbox and its jobs on PostgreSQL with fsync on.
 *
 * <ul>
 *   <li>{@code commit-floor}: 64 threads, each committing one single-row insert of a webhook-sized
 *       row per transaction over raw JDBC: what intake could reach if every delivery paid its own
 *       commit, measured in the same run as the baseline.
 *   <li>{@code intake}: acknowledged deliveries per second, latency per request, and after the load
 *       {@code lost} (acknowledged ids missing from the inbox, counted in SQL).
 *   <li>{@code process}: a worker drains the stored events through a handler that writes one row
 *       per event in the event's transaction; {@code duplicates} are events whose row was written
 *       more than once, {@code lost} stored events that were not processed.
 * </ul>
 */
public final class WebhooksBench implements BenchFamily {
  private static final String BENCH = "webhooks";
  private static final int CONNECTIONS = 64;
  private static final String SECRET = "sk_test_bench_webhooks";
  private static final String PATH = "/webhooks/paystack";
  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "signed Paystack deliveries over HTTP into the durable inbox: intake, process, and the"
        + " one-commit-per-request floor";
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    try (BenchDatabase database = BenchDatabase.open(options, out);
        Db db =
            Db.builder(database.url())
                .maximumPoolSize(CONNECTIONS + 16)
                .poolName("bench-webhooks")
                .build()) {
      new Plan(options, out, db, database).run();
    }
  }

  private static final class Plan {
    private final BenchOptions options;
    private final ResultSink out;
    private final Db db;
    private final BenchDatabase database;
    private long nextId = 1;

    Plan(BenchOptions options, ResultSink out, Db db, BenchDatabase database) {
      this.options = options;
      this.out = out;
      this.db = db;
      this.database = database;
    }

    private Duration round() {
      return options.quick() ? Duration.ofSeconds(4) : Duration.ofSeconds(15);
    }

    private int rounds() {
      return options.quick() ? 2 : 3;
    }

    void run() throws Exception {
      db.useTransaction(
          h -> {
            h.execute("DROP SCHEMA IF EXISTS bench_webhooks CASCADE");
            h.execute("DROP SCHEMA IF EXISTS bench_webhooks_queue CASCADE");
            h.execute("DROP TABLE IF EXISTS public.bench_webhooks_effects");
            h.execute("DROP TABLE IF EXISTS public.bench_webhooks_floor");
            h.execute("CREATE TABLE public.bench_webhooks_effects (reference text NOT NULL)");
            h.execute(
                "CREATE TABLE public.bench_webhooks_floor (id uuid PRIMARY KEY, body bytea NOT"
                    + " NULL, received_at timestamptz NOT NULL DEFAULT now())");
          });
      PostgresBackend backend = PostgresBackend.builder(db).schema("bench_webhooks_queue").build();
      Server jetty = new Server(threadPool());
      try (Webhooks webhooks =
          Webhooks.builder(db, JobQueue.builder(backend).build())
              .schema("bench_webhooks")
              .provider(Paystack.withSecrets(SigningSecrets.of(SECRET)))
              .on(
                  "paystack",
                  "charge.success",
                  (event, handle) ->
                      handle.execute(
                          "INSERT INTO public.bench_webhooks_effects (reference) VALUES (?)",
                          event.payload().path("data").path("reference").asText()))
              .build()) {
        int port = serve(jetty, webhooks);
        measure(webhooks, port);
      } finally {
        jetty.stop();
        backend.close();
      }
    }

    private static QueuedThreadPool threadPool() {
      QueuedThreadPool pool = new QueuedThreadPool();
      // as the reference server does: a blocked request (waiting for its commit) costs no thread
      pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
      return pool;
    }

    private static int serve(Server jetty, Webhooks webhooks) throws Exception {
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServlet(new ServletHolder(new OdimServlet(webhooks.endpoint("paystack"))), PATH);
      jetty.setHandler(context);
      jetty.start();
      return connector.getLocalPort();
    }

    private void measure(Webhooks webhooks, int port) throws Exception {
      out.progress("warming up intake and the commit floor");
      intakeRound(port, Duration.ofSeconds(options.quick() ? 1 : 3), new ArrayList<>());
      floorRound(Duration.ofSeconds(1));

      List<Double> floors = new ArrayList<>();
      List<Load.Measurement> intakes = new ArrayList<>();
      List<String> acknowledged = new ArrayList<>();
      for (int r = 1; r <= rounds(); r++) {
        Load.Measurement floor = floorRound(round());
        floors.add(floor.opsPerSecond());
        out.progress(
            String.format(
                "round %d/%d commit-floor %,.0f commits/s", r, rounds(), floor.opsPerSecond()));
        Load.Measurement intake = intakeRound(port, round(), acknowledged);
        intakes.add(intake);
        out.progress(
            String.format(
                "round %d/%d intake %,.0f webhooks/s  p99 %.2f ms  errors %d",
                r,
                rounds(),
                intake.opsPerSecond(),
                intake.percentileMillis(0.99),
                intake.errors()));
      }
      double floor = median(floors);
      Map<String, Object> floorFields = new LinkedHashMap<>();
      floorFields.put("ops_per_sec", Math.round(floor));
      floorFields.put("threads", CONNECTIONS);
      out.result(BENCH, "commit-floor", floorFields);

      Load.Measurement all = merged(intakes);
      double intakeRate = median(intakes.stream().map(Load.Measurement::opsPerSecond).toList());
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(intakeRate));
      fields.put("p50_ms", round3(all.percentileMillis(0.50)));
      fields.put("p99_ms", round3(all.percentileMillis(0.99)));
      fields.put("errors", all.errors());
      fields.put("lost", acknowledged.size() - countStored(acknowledged));
      fields.put("baseline_ops_per_sec", Math.round(floor));
      fields.put("ratio", round3(intakeRate / floor));
      fields.put("connections", CONNECTIONS);
      fields.put("acknowledged", acknowledged.size());
      out.result(BENCH, "intake", fields);

      process(webhooks);
    }

    private Load.Measurement floorRound(Duration length) throws Exception {
      byte[] body = signedBody(0, "floor").getBytes(StandardCharsets.UTF_8);
      Connection[] connections = new Connection[CONNECTIONS];
      PreparedStatement[] inserts = new PreparedStatement[CONNECTIONS];
      try {
        for (int i = 0; i < CONNECTIONS; i++) {
          connections[i] = DriverManager.getConnection(database.url().jdbcUrl(), credentials());
          inserts[i] =
              connections[i].prepareStatement(
                  "INSERT INTO public.bench_webhooks_floor (id, body) VALUES (?, ?)");
        }
        return Load.run(
            CONNECTIONS,
            length,
            (w, n) -> {
              inserts[w].setObject(1, UUID.randomUUID());
              inserts[w].setBytes(2, body);
              inserts[w].executeUpdate(); // autocommit: one commit per row
            });
      } finally {
        for (Connection connection : connections) {
          if (connection != null) {
            connection.close();
          }
        }
      }
    }

    private java.util.Properties credentials() {
      java.util.Properties properties = new java.util.Properties();
      if (database.url().user() != null) {
        properties.setProperty("user", database.url().user());
      }
      if (database.url().password() != null) {
        properties.setProperty("password", database.url().password());
      }
      return properties;
    }

    private Load.Measurement intakeRound(int port, Duration length, List<String> acknowledged)
        throws Exception {
      int perConnection = (int) Math.max(500, 400 * length.toSeconds());
      byte[][][] requests = new byte[CONNECTIONS][perConnection][];
      for (int c = 0; c < CONNECTIONS; c++) {
        for (int i = 0; i < perConnection; i++) {
          requests[c][i] = request(nextId++);
        }
      }
      HttpConnection[] connections = new HttpConnection[CONNECTIONS];
      List<List<String>> ids = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        connections[c] = new HttpConnection("127.0.0.1", port);
        ids.add(new ArrayList<>());
      }
      try {
        Load.Measurement m =
            Load.run(
                CONNECTIONS,
                length,
                (w, n) -> {
                  byte[] request =
                      n < perConnection ? requests[w][(int) n] : request(nextIdFor(w, n));
                  var response = connections[w].send(request);
                  if (response.status() != 200) {
                    throw new IllegalStateException("status " + response.status());
                  }
                  Matcher id = ID.matcher(new String(response.body(), StandardCharsets.UTF_8));
                  if (!id.find()) {
                    throw new IllegalStateException("no id in the answer");
                  }
                  ids.get(w).add(id.group(1));
                });
        ids.forEach(acknowledged::addAll);
        return m;
      } finally {
        for (var connection : connections) {
          connection.close();
        }
      }
    }

    /** Ids past the prepared ones: unique per connection and sequence, above every prepared id. */
    private static long nextIdFor(int worker, long sequence) {
      return 1_000_000_000_000L + worker * 1_000_000_000L + sequence;
    }

    private static byte[] request(long id) {
      byte[] body = signedBody(id, "bench-" + id).getBytes(StandardCharsets.UTF_8);
      return HttpConnection.post(
          "127.0.0.1",
          PATH,
          body,
          "Content-Type: application/json",
          "X-Paystack-Signature: " + sign(body));
    }

    private static String signedBody(long id, String reference) {
      return "{\"event\":\"charge.success\",\"data\":{\"id\":"
          + id
          + ",\"domain\":\"test\",\"status\":\"success\",\"reference\":\""
          + reference
          + "\",\"amount\":500000,\"currency\":\"NGN\",\"channel\":\"card\","
          + "\"paid_at\":\"2026-11-25T10:00:00.000Z\",\"customer\":{\"id\":84312,"
          + "\"email\":\"fan@example.com\",\"customer_code\":\"CUS_bench\"},"
          + "\"metadata\":{\"creator\":\"c-1\",\"tier\":\"gold\"}}}";
    }

    private static String sign(byte[] body) {
      try {
        Mac mac = Mac.getInstance("HmacSHA512");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
        return HexFormat.of().formatHex(mac.doFinal(body));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private long countStored(List<String> ids) {
      long found = 0;
      for (int from = 0; from < ids.size(); from += 10_000) {
        List<String> slice = ids.subList(from, Math.min(ids.size(), from + 10_000));
        found +=
            db.inTransaction(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM bench_webhooks.inbox WHERE id = ANY(:ids::uuid[])")
                        .bindArray("ids", String.class, slice)
                        .mapTo(Long.class)
                        .one());
      }
      return found;
    }

    private void process(Webhooks webhooks) throws Exception {
      long stored = webhooks.admin().backlog();
      out.progress(String.format("processing %,d stored events", stored));
      long began = System.nanoTime();
      Worker worker = webhooks.worker().concurrency(50).prefetch(150).start();
      try {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (webhooks.admin().backlog() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
      } finally {
        worker.close();
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      long effects = count("SELECT count(*) FROM public.bench_webhooks_effects");
      long distinct = count("SELECT count(DISTINCT reference) FROM public.bench_webhooks_effects");
      long processed =
          count("SELECT count(*) FROM bench_webhooks.inbox WHERE status = 'processed'");
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(stored / seconds));
      fields.put("events", stored);
      fields.put("duplicates", effects - distinct);
      fields.put("lost", count("SELECT count(*) FROM bench_webhooks.inbox") - processed);
      fields.put("concurrency", 50);
      out.result(BENCH, "process", fields);
    }

    private long count(String sql) {
      return db.inTransaction(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static Load.Measurement merged(List<Load.Measurement> rounds) {
      long operations = 0;
      long errors = 0;
      double seconds = 0;
      int size = 0;
      for (Load.Measurement m : rounds) {
        operations += m.operations();
        errors += m.errors();
        seconds += m.seconds();
        size += m.latenciesNanos().length;
      }
      long[] latencies = new long[size];
      int at = 0;
      for (Load.Measurement m : rounds) {
        System.arraycopy(m.latenciesNanos(), 0, latencies, at, m.latenciesNanos().length);
        at += m.latenciesNanos().length;
      }
      Arrays.sort(latencies);
      return new Load.Measurement(operations, errors, seconds, latencies);
    }

    private static double median(List<Double> values) {
      List<Double> sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round3(double value) {
      return Math.round(value * 1000) / 1000.0;
    }
  }
}
