package dev.odim.bench.db;

import dev.odim.bench.BenchDatabase;
import dev.odim.bench.BenchFamily;
import dev.odim.bench.BenchOptions;
import dev.odim.bench.Load;
import dev.odim.bench.ResultSink;
import dev.odim.core.db.DatabaseUrl;
import dev.odim.core.db.Db;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Compares single-row insert transactions through {@link Db#inTransaction} with the same inserts
 * over raw JDBC, in alternating rounds of the same run (the machines are noisy; only a ratio
 * measured side by side means anything). Raw JDBC with one connection per thread is PostgreSQL's
 * commit rate on this machine, the limit our layer can at best reach; the disk's durable write rate
 * is measured too, because it bounds that commit rate.
 */
public final class DbBench implements BenchFamily {
  private static final String BENCH = "db";
  private static final int THREADS = 8;
  private static final String INSERT =
      "INSERT INTO bench_rows (worker, seq, payload) VALUES (?, ?, ?)";

  @Override
  public String name() {
    return BENCH;
  }

  @Override
  public String description() {
    return "Db.inTransaction single-row inserts vs raw JDBC (target ratio >= 0.9)";
  }

  @Override
  public void run(BenchOptions options, ResultSink out) throws Exception {
    try (BenchDatabase database = BenchDatabase.open(options, out)) {
      diskFsyncRate(options, out, database.dataDirectory());
      compareInserts(options, out, database.url());
    }
  }

  private void compareInserts(BenchOptions options, ResultSink out, DatabaseUrl url)
      throws Exception {
    try (Db db = Db.builder(url).maximumPoolSize(THREADS).poolName("odim-bench").build()) {
      db.useTransaction(
          h -> {
            h.execute("DROP TABLE IF EXISTS bench_rows");
            h.execute(
                "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, worker int NOT NULL, seq bigint NOT NULL, payload text NOT NULL)");
          });
      List<Connection> raw = openRawConnections(url);
      try {
        Load.Operation viaJdbc = rawInsert(raw, "raw");
        Load.Operation viaDb = dbInsert(db, "db");

        out.progress("warming up");
        Load.run(THREADS, Duration.ofSeconds(options.quick() ? 1 : 5), rawInsert(raw, "warm-up"));
        Load.run(THREADS, Duration.ofSeconds(options.quick() ? 1 : 5), dbInsert(db, "warm-up"));

        List<Load.Measurement> jdbcRounds = new ArrayList<>();
        List<Load.Measurement> dbRounds = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
          out.progress("round " + round + "/" + options.rounds() + ": raw JDBC");
          jdbcRounds.add(Load.run(THREADS, options.round(), viaJdbc));
          out.progress("round " + round + "/" + options.rounds() + ": Db.inTransaction");
          dbRounds.add(Load.run(THREADS, options.round(), viaDb));
        }
        Load.Measurement jdbc = median(jdbcRounds);
        Load.Measurement viaOurs = median(dbRounds);
        // The ratio of each round pair, measured seconds apart, cancels the machine's drift; their
        // median is steadier than the ratio of the two medians.
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < dbRounds.size(); i++) {
          ratios.add(dbRounds.get(i).opsPerSecond() / jdbcRounds.get(i).opsPerSecond());
        }
        ratios.sort(Double::compare);
        double ratio = ratios.get(ratios.size() / 2);

        long acknowledged = 0;
        for (Load.Measurement m : dbRounds) {
          acknowledged += m.operations();
        }
        // Every acknowledged commit must be in the table, counted there, not in our bookkeeping.
        long lost = Math.max(0, acknowledged - countRows(db, "db"));

        out.result(BENCH, "insert-raw-jdbc", fields(jdbc, null, null, null));
        out.result(
            BENCH,
            "insert-db-in-transaction",
            fields(
                viaOurs, jdbc.opsPerSecond(), viaOurs.opsPerSecond() / jdbc.opsPerSecond(), lost));
      } finally {
        for (Connection connection : raw) {
          connection.close();
        }
      }
    }
  }

  private static Load.Operation rawInsert(List<Connection> raw, String payload) {
    return (worker, seq) -> {
      Connection connection = raw.get(worker);
      try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
        insert.setInt(1, worker);
        insert.setLong(2, seq);
        insert.setString(3, payload);
        insert.executeUpdate();
      }
      connection.commit();
    };
  }

  private static Load.Operation dbInsert(Db db, String payload) {
    return (worker, seq) -> db.useTransaction(h -> h.execute(INSERT, worker, seq, payload));
  }

  private static Map<String, Object> fields(
      Load.Measurement m, @Nullable Double baseline, @Nullable Double ratio, @Nullable Long lost) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("ops_per_sec", Math.round(m.opsPerSecond()));
    fields.put("p50_ms", round3(m.percentileMillis(0.50)));
    fields.put("p95_ms", round3(m.percentileMillis(0.95)));
    fields.put("p99_ms", round3(m.percentileMillis(0.99)));
    fields.put("errors", m.errors());
    fields.put("threads", THREADS);
    if (baseline != null) {
      fields.put("baseline_ops_per_sec", Math.round(baseline));
    }
    if (ratio != null) {
      fields.put("ratio", round3(ratio));
    }
    if (lost != null) {
      fields.put("lost", lost);
    }
    return fields;
  }

  /**
   * Durable 4 KiB writes per second (write + fsync) in one file next to the database: the ceiling
   * for commits that do not share a flush.
   */
  private static void diskFsyncRate(BenchOptions options, ResultSink out, @Nullable Path near)
      throws IOException, InterruptedException {
    Path dir = near != null ? near.getParent() : Path.of(System.getProperty("java.io.tmpdir"));
    Path file = Files.createTempFile(dir, "fsync-", ".bin");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer block = ByteBuffer.allocateDirect(4096);
      Load.Measurement m =
          Load.run(
              1,
              options.quick() ? Duration.ofSeconds(2) : Duration.ofSeconds(5),
              (worker, seq) -> {
                block.clear();
                channel.write(block, (seq % 256) * 4096);
                channel.force(false);
              });
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("ops_per_sec", Math.round(m.opsPerSecond()));
      fields.put("p50_ms", round3(m.percentileMillis(0.50)));
      fields.put("p99_ms", round3(m.percentileMillis(0.99)));
      fields.put("errors", m.errors());
      out.result(BENCH, "disk-fsync-4k", fields);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static List<Connection> openRawConnections(DatabaseUrl url) throws SQLException {
    Properties properties = new Properties();
    if (url.user() != null) {
      properties.setProperty("user", url.user());
    }
    if (url.password() != null) {
      properties.setProperty("password", url.password());
    }
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      Connection connection = DriverManager.getConnection(url.jdbcUrl(), properties);
      connection.setAutoCommit(false);
      connections.add(connection);
    }
    return connections;
  }

  private static long countRows(Db db, String payload) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM bench_rows WHERE payload = :payload")
                .bind("payload", payload)
                .mapTo(Long.class)
                .one());
  }

  private static Load.Measurement median(List<Load.Measurement> rounds) {
    List<Load.Measurement> sorted = new ArrayList<>(rounds);
    sorted.sort((a, b) -> Double.compare(a.opsPerSecond(), b.opsPerSecond()));
    return sorted.get(sorted.size() / 2);
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
