package dev.odim.queue.crash;

import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.Worker;
import dev.odim.queue.postgres.PostgresBackend;
import java.time.Duration;

/**
 * A worker process for {@link WorkerKilledMidJobTest}, which kills it with SIGKILL. Jobs of type
 * {@code effect} append a row to the effects table in the job's transaction, slowly enough that a
 * kill often lands mid-job; jobs of type {@code poison} halt the whole JVM, as a job that crashes
 * its worker would.
 *
 * <p>Arguments: JDBC URL with credentials, queue schema, effects table.
 */
public final class CrashingWorkerMain {
  static final String READY = "worker ready";
  static final Duration LEASE = Duration.ofSeconds(1);

  private CrashingWorkerMain() {}

  public static void main(String[] args) throws InterruptedException {
    Db db = Db.builder(args[0]).maximumPoolSize(12).poolName("crashing-worker").build();
    String effects = args[2];
    Worker worker =
        JobQueue.builder(PostgresBackend.builder(db).schema(args[1]).build())
            .build()
            .worker()
            .transactionalHandler(
                "effect",
                (job, handle) -> {
                  handle.execute("INSERT INTO " + effects + " (job_id) VALUES (?)", job.id());
                  Thread.sleep(5); // widen the window between the write and the commit
                })
            .handler("poison", job -> Runtime.getRuntime().halt(3))
            .concurrency(8)
            .leaseDuration(LEASE)
            .pollInterval(Duration.ofMillis(20))
            .start();
    System.out.println(READY + " " + worker.id());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // until killed
  }
}
