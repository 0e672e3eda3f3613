package dev.odim.bench.queue;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.BenchRedis;
import dev.odim.bench.Load;
import dev.odim.bench.ResultSink;
import dev.odim.core.db.DatabaseUrl;
import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueCounts;
import dev.odim.queue.Worker;
import dev.odim.queue.spi.JobBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue on each backend: enqueue (one job per call from 32 threads, and batches of 1,000),
 * {@code process} (no-op jobs, worker concurrency 50), {@code process-durable} (a handler that
 * writes one row in the job's transaction) and {@code crash} (a worker process killed with SIGKILL
 * every few seconds while it works; lost and duplicated effects counted in the database). On
 * PostgreSQL, {@code naive} is the baseline: one job per transaction, locked with {@code FOR UPDATE
 * SKIP LOCKED} and deleted, from 50 threads.
 */
public final class QueueBench implements BenchFamily {
  static final String NOOP_TYPE = "noop";
  static final String DURABLE_TYPE = "durable";
  private static final String BENCH = "queue";
  private static final int ENQUEUE_THREADS = 32;
  private static final int BATCH_THREADS = 4;
  private static final int BATCH = 1_000;
  private static final int CONCURRENCY = 50;

  /** Jobs leased ahead of free slots, as Graphile Worker's perfTest runs with a local queue. */
  private static final int PREFETCH = 150;

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "job queue on PostgreSQL and Redis: enqueue, process, process-durable, crash";
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    try (BenchDatabase database = BenchDatabase.open(options, out);
        BenchRedis redis = BenchRedis.open(options, out);
        Db db =
            Db.builder(database.url())
                .maximumPoolSize(CONCURRENCY + 16)
                .poolName("bench-queue")
                .build()) {
      new Plan(options, out, db, database.url(), redis.uri()).run();
    }
  }

  /** One invocation over both backends. */
  private static final class Plan {
    private final BenchOptions options;
    private final ResultSink out;
    private final Db db;
    private final DatabaseUrl url;
    private final String redisUri;
    private final AtomicInteger namespaces = new AtomicInteger();

    Plan(BenchOptions options, ResultSink out, Db db, DatabaseUrl url, String redisUri) {
      this.options = options;
      this.out = out;
      this.db = db;
      this.url = url;
      this.redisUri = redisUri;
    }

    void run() throws Exception {
      double naive = naiveBaseline();
      for (Backends kind : Backends.values()) {
        enqueue(kind);
        enqueueBatches(kind);
        process(kind, kind == Backends.PG ? naive : 0);
        processDurable(kind);
        crash(kind);
      }
    }

    private Duration round() {
      return options.quick() ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
    }

    private int processJobs() {
      return options.quick() ? 10_000 : 100_000;
    }

    private String namespace(Backends kind) {
      return "bench_queue_" + kind.label + "_" + namespaces.incrementAndGet();
    }

    private JobBackend fresh(Backends kind, String namespace) {
      db.useTransaction(h -> h.execute("DROP SCHEMA IF EXISTS " + namespace + " CASCADE"));
      db.useTransaction(h -> h.execute("DROP SCHEMA IF EXISTS " + namespace + "_redis CASCADE"));
      return kind.open(db, redisUri, namespace);
    }

    // ---- enqueue ------------------------------------------------------------------------------

    private void enqueue(Backends kind) throws Exception {
      try (JobBackend backend = fresh(kind, namespace(kind))) {
        JobQueue queue = JobQueue.builder(backend).build();
        Load.run(ENQUEUE_THREADS, Duration.ofMillis(500), (w, n) -> queue.enqueue(noop()));
        Load.Measurement m = Load.run(ENQUEUE_THREADS, round(), (w, n) -> queue.enqueue(noop()));
        Map<String, Object> fields = measured(m, m.opsPerSecond());
        fields.put("threads", ENQUEUE_THREADS);
        out.result(BENCH, kind.label + "-enqueue", fields);
      }
    }

    private void enqueueBatches(Backends kind) throws Exception {
      try (JobBackend backend = fresh(kind, namespace(kind))) {
        JobQueue queue = JobQueue.builder(backend).build();
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
          batch.add(noop());
        }
        Load.run(BATCH_THREADS, Duration.ofMillis(500), (w, n) -> queue.enqueueAll(batch));
        Load.Measurement m = Load.run(BATCH_THREADS, round(), (w, n) -> queue.enqueueAll(batch));
        Map<String, Object> fields = measured(m, m.opsPerSecond() * BATCH);
        fields.put("threads", BATCH_THREADS);
        fields.put("batch_size", BATCH);
        fields.put("latency_per", "call");
        out.result(BENCH, kind.label + "-enqueue-batch", fields);
      }
    }

    // ---- process ------------------------------------------------------------------------------

    private void process(Backends kind, double baseline) throws Exception {
      String namespace = namespace(kind);
      int jobs = processJobs();
      try (JobBackend backend = fresh(kind, namespace)) {
        JobQueue queue = JobQueue.builder(backend).build();
        fill(queue, jobs, NOOP_TYPE);
        long began = System.nanoTime();
        Worker worker =
            queue
                .worker()
                .handler(NOOP_TYPE, job -> {})
                .concurrency(CONCURRENCY)
                .prefetch(PREFETCH)
                .start();
        try {
          awaitEmpty(queue, Duration.ofMinutes(10));
          double seconds = (System.nanoTime() - began) / 1e9;
          Map<String, Object> fields = new LinkedHashMap<>();
          fields.put("ops_per_sec", Math.round(jobs / seconds));
          fields.put("jobs", jobs);
          fields.put("concurrency", CONCURRENCY);
          fields.put("errors", 0);
          if (baseline > 0) {
            fields.put("baseline_ops_per_sec", Math.round(baseline));
            fields.put("ratio", round3(jobs / seconds / baseline));
          }
          if (kind == Backends.PG) {
            fields.putAll(tableHealth(namespace));
            if (!options.quick()) {
              fields.put("autovacuum_s", awaitAutovacuum(namespace, Duration.ofSeconds(90)));
              fields.put("dead_tuples_after_autovacuum", tableHealth(namespace).get("dead_tuples"));
            }
          }
          out.result(BENCH, kind.label + "-process", fields);
        } finally {
          worker.close();
        }
      }
    }

    private void processDurable(Backends kind) throws Exception {
      String namespace = namespace(kind);
      int jobs = processJobs() / 5;
      String effects = effectsTable(namespace);
      try (JobBackend backend = fresh(kind, namespace)) {
        createEffects(effects);
        JobQueue queue = JobQueue.builder(backend).build();
        fill(queue, jobs, DURABLE_TYPE);
        long began = System.nanoTime();
        Worker worker =
            queue
                .worker()
                .transactionalHandler(
                    DURABLE_TYPE,
                    (job, handle) ->
                        handle.execute("INSERT INTO " + effects + " (job_id) VALUES (?)", job.id()))
                .concurrency(CONCURRENCY)
                .prefetch(PREFETCH)
                .start();
        try {
          awaitEmpty(queue, Duration.ofMinutes(10));
        } finally {
          worker.close();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ops_per_sec", Math.round(jobs / seconds));
        fields.put("jobs", jobs);
        fields.put("concurrency", CONCURRENCY);
        fields.putAll(effectCounts(effects, jobs, queue));
        out.result(BENCH, kind.label + "-process-durable", fields);
      }
    }

    // ---- crash --------------------------------------------------------------------------------

    private void crash(Backends kind) throws Exception {
      String namespace = namespace(kind);
      int jobs = options.quick() ? 500 : 5_000;
      Duration killEvery = options.quick() ? Duration.ofMillis(1_500) : Duration.ofSeconds(3);
      String effects = effectsTable(namespace);
      try (JobBackend backend = fresh(kind, namespace)) {
        createEffects(effects);
        JobQueue queue = JobQueue.builder(backend).build();
        fill(queue, jobs, DURABLE_TYPE);
        long began = System.nanoTime();
        int kills = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!isEmpty(queue) && System.nanoTime() < deadline) {
          Process worker = startWorker(kind, namespace, effects);
          Thread.sleep(killEvery);
          if (worker.isAlive()) {
            worker.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful close
            worker.waitFor(10, TimeUnit.SECONDS);
            kills++;
          }
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ops_per_sec", Math.round(jobs / seconds));
        fields.put("jobs", jobs);
        fields.put("kills", kills);
        fields.put("kill_every_ms", killEvery.toMillis());
        fields.putAll(effectCounts(effects, jobs, queue));
        out.result(BENCH, kind.label + "-crash", fields);
      }
    }

    private Process startWorker(Backends kind, String namespace, String effects)
        throws IOException, InterruptedException {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process process =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashWorker.class.getName(),
                  kind.label,
                  url.jdbcUrl(),
                  url.user() == null ? "" : url.user(),
                  url.password() == null ? "" : url.password(),
                  namespace,
                  redisUri,
                  effects)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = lines.readLine();
      if (line == null || !line.startsWith(CrashWorker.READY)) {
        process.destroyForcibly();
        throw new IllegalStateException("the crash worker did not start: " + line);
      }
      return process;
    }

    // ---- baseline -----------------------------------------------------------------------------

    /** Jobs per second of the naive PostgreSQL queue: one transaction per job, 50 threads. */
    private double naiveBaseline() throws Exception {
      String schema = "bench_queue_naive";
      int jobs = processJobs() / 2;
      db.useTransaction(
          h -> {
            h.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            h.execute("CREATE SCHEMA " + schema);
            h.execute(
                "CREATE TABLE "
                    + schema
                    + ".jobs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " payload jsonb NOT NULL, run_at timestamptz NOT NULL DEFAULT now())");
            h.execute("CREATE INDEX ON " + schema + ".jobs (run_at, id)");
            h.execute(
                "INSERT INTO "
                    + schema
                    + ".jobs (payload) SELECT '{}'::jsonb FROM generate_series(1, ?)",
                jobs);
          });
      String take =
          "DELETE FROM "
              + schema
              + ".jobs WHERE id = (SELECT id FROM "
              + schema
              + ".jobs WHERE run_at <= now() ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
              + " RETURNING id";
      long began = System.nanoTime();
      List<Thread> takers = new ArrayList<>();
      for (int t = 0; t < CONCURRENCY; t++) {
        takers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (db.inTransaction(h -> h.createQuery(take).mapTo(Long.class).findOne())
                          .isPresent()) {
                        // one job taken and deleted per transaction
                      }
                    }));
      }
      for (Thread taker : takers) {
        taker.join();
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      long left =
          db.withHandle(
              h ->
                  h.createQuery("SELECT count(*) FROM " + schema + ".jobs")
                      .mapTo(Long.class)
                      .one());
      double perSecond = (jobs - left) / seconds;
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(perSecond));
      fields.put("jobs", jobs - left);
      fields.put("concurrency", CONCURRENCY);
      out.result(BENCH, "pg-naive", fields);
      return perSecond;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static NewJob noop() {
      return NewJob.of(NOOP_TYPE, "{}");
    }

    private void fill(JobQueue queue, int jobs, String type) {
      long began = System.nanoTime();
      for (int from = 0; from < jobs; from += BATCH) {
        List<NewJob> batch = new ArrayList<>();
        for (int i = from; i < Math.min(jobs, from + BATCH); i++) {
          batch.add(NewJob.of(type, "{\"n\":" + i + "}"));
        }
        queue.enqueueAll(batch);
      }
      out.progress(
          String.format(
              "%,d %s jobs enqueued in %.1f s", jobs, type, (System.nanoTime() - began) / 1e9));
    }

    private static boolean isEmpty(JobQueue queue) {
      QueueCounts c = queue.admin().counts(NewJob.DEFAULT_QUEUE);
      return c.waiting() + c.scheduled() + c.running() == 0;
    }

    private void awaitEmpty(JobQueue queue, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (!isEmpty(queue)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the queue did not drain within " + limit);
        }
        // counts read the whole queue: polling often would compete with the run it measures
        Thread.sleep(100);
      }
    }

    private static String effectsTable(String namespace) {
      return "public." + namespace + "_effects";
    }

    private void createEffects(String table) {
      db.useTransaction(
          h -> {
            h.execute("DROP TABLE IF EXISTS " + table);
            // no unique key on purpose: a job applied twice must show as two rows
            h.execute("CREATE TABLE " + table + " (job_id uuid NOT NULL)");
          });
    }

    /** Lost and duplicated effects, counted in the database, and jobs in the dead letters. */
    private Map<String, Object> effectCounts(String table, int jobs, JobQueue queue) {
      long rows =
          db.withHandle(
              h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
      long distinct =
          db.withHandle(
              h ->
                  h.createQuery("SELECT count(DISTINCT job_id) FROM " + table)
                      .mapTo(Long.class)
                      .one());
      long dead = queue.admin().counts(NewJob.DEFAULT_QUEUE).dead();
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("lost", jobs - distinct - dead);
      fields.put("duplicates", rows - distinct);
      fields.put("dead_letters", dead);
      return fields;
    }

    /** Row and dead-tuple counts of the jobs table after a run: finished jobs must not pile up. */
    private Map<String, Object> tableHealth(String schema) {
      return db.withHandle(
          h -> {
            h.execute("SELECT pg_stat_force_next_flush()");
            return h.createQuery(
                    "SELECT n_live_tup, n_dead_tup, pg_total_relation_size(relid) AS bytes"
                        + " FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'jobs'")
                .bind(0, schema)
                .map(
                    (rs, ctx) -> {
                      Map<String, Object> health = new LinkedHashMap<>();
                      health.put("live_tuples", rs.getLong("n_live_tup"));
                      health.put("dead_tuples", rs.getLong("n_dead_tup"));
                      health.put("table_bytes", rs.getLong("bytes"));
                      return health;
                    })
                .findOne()
                .orElseGet(LinkedHashMap::new);
          });
    }

    /**
     * Seconds from the drain until autovacuum next finishes on the jobs table (the migration's
     * settings trigger it after 1% + 1,000 dead rows), or -1 if it has not within {@code limit}.
     */
    private double awaitAutovacuum(String schema, Duration limit) throws InterruptedException {
      long began = System.nanoTime();
      String drainedAt =
          db.withHandle(h -> h.createQuery("SELECT now()::text").mapTo(String.class).one());
      while (System.nanoTime() - began < limit.toNanos()) {
        boolean vacuumed =
            db.withHandle(
                h -> {
                  h.execute("SELECT pg_stat_force_next_flush()");
                  return h.createQuery(
                          "SELECT coalesce(last_autovacuum > ?::timestamptz, false)"
                              + " FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'jobs'")
                      .bind(0, drainedAt)
                      .bind(1, schema)
                      .mapTo(Boolean.class)
                      .findOne()
                      .orElse(false);
                });
        if (vacuumed) {
          return round3((System.nanoTime() - began) / 1e9);
        }
        Thread.sleep(1_000);
      }
      return -1;
    }

    private static Map<String, Object> measured(Load.Measurement m, double perSecond) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(perSecond));
      fields.put("p50_ms", round3(m.percentileMillis(0.5)));
      fields.put("p95_ms", round3(m.percentileMillis(0.95)));
      fields.put("p99_ms", round3(m.percentileMillis(0.99)));
      fields.put("errors", m.errors());
      return fields;
    }

    private static double round3(double value) {
      return Math.round(value * 1000) / 1000.0;
    }
  }
}
