package dev.odim.bench.queue;

import dev.odim.core.db.DatabaseUrl;
import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.Worker;
import dev.odim.queue.spi.JobBackend;
import java.time.Duration;

/**
 * The worker process of the {@code crash} scenario, killed with SIGKILL every few seconds: a
 * transactional handler appends one row per run to an effects table with no unique key, so a job
 * applied twice shows as a duplicate row when the benchmark counts.
 *
 * <p>Arguments: backend label, JDBC URL, database user, password (may be empty), namespace, Redis
 * URI, effects table.
 */
public final class CrashWorker {
  static final String READY = "crash-worker ready";
  static final Duration LEASE = Duration.ofSeconds(2);

  private CrashWorker() {}

  public static void main(String[] args) throws InterruptedException {
    Backends kind = Backends.of(args[0]);
    DatabaseUrl url = new DatabaseUrl(args[1], args[2], args[3].isEmpty() ? null : args[3]);
    String effects = args[6];
    Db db = Db.builder(url).maximumPoolSize(24).poolName("crash-worker").build();
    JobBackend backend = kind.open(db, args[5], args[4]);
    Worker worker =
        JobQueue.builder(backend)
            .build()
            .worker()
            .transactionalHandler(
                QueueBench.DURABLE_TYPE,
                (job, handle) ->
                    handle.execute("INSERT INTO " + effects + " (job_id) VALUES (?)", job.id()))
            .concurrency(20)
            .leaseDuration(LEASE)
            .pollInterval(Duration.ofMillis(50))
            .start();
    System.out.println(READY + " " + worker.id());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // until killed
  }
}
