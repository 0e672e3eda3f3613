package dev.odim.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.spi.LeasedJob;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many threads leasing from one queue at once, counted in the database: no job is handed to two
 * leases, and when leases expire mid-run and are taken over, each job's effect still commits once.
 */
@ExtendWith(PostgresExtension.class)
class LeaseConcurrencyTest {
  private static final int THREADS = 12;
  private static final int JOBS = 1_000;
  private static final Duration LEASE = Duration.ofSeconds(30);

  private static Db db;
  private static SettableClock clock;
  private static PostgresBackend backend;
  private static JobQueue queue;

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(THREADS + 4).build();
    clock = SettableClock.standard();
    backend = PostgresBackend.builder(db).clock(clock).listen(false).build();
    queue = JobQueue.builder(backend).clock(clock).build();
  }

  @AfterAll
  static void close() {
    backend.close();
    db.close();
  }

  @BeforeEach
  void freshTables() {
    db.useTransaction(
        h -> {
          h.execute("DELETE FROM odim_queue.jobs");
          h.execute("DROP TABLE IF EXISTS leases_seen, effects");
          h.execute("CREATE TABLE leases_seen (job_id uuid NOT NULL, lease_token uuid NOT NULL)");
          h.execute("CREATE TABLE effects (job_id uuid NOT NULL)");
        });
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      jobs.add(NewJob.of("t", Integer.toString(i)).maxAttempts(1_000));
    }
    queue.enqueueAll(jobs);
  }

  @Test
  void concurrentLeasesNeverHandOneJobToTwoLeases() throws Exception {
    runThreads(
        () -> {
          List<LeasedJob> got = lease();
          db.useTransaction(
              h -> {
                for (LeasedJob job : got) {
                  h.execute("INSERT INTO leases_seen VALUES (?, ?)", job.id(), job.leaseToken());
                }
              });
          // not completed: every job stays leased, so a second lease of one would show here
          return !got.isEmpty();
        });

    assertThat(count("SELECT count(*) FROM leases_seen")).isEqualTo(JOBS);
    assertThat(count("SELECT count(DISTINCT job_id) FROM leases_seen")).isEqualTo(JOBS);
    assertThat(count("SELECT count(*) FROM odim_queue.jobs WHERE lease_token IS NULL")).isZero();
  }

  @Test
  void leasesTakenOverMidRunStillCommitEachEffectOnce() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger staleCompletions = new AtomicInteger();
    Thread expirer =
        Thread.ofPlatform()
            .start(
                () -> {
                  // every few milliseconds every held lease expires, so threads take over
                  // each other's jobs while they run them
                  while (running.get()) {
                    clock.advance(LEASE.plusSeconds(1));
                    pauseMillis(3);
                  }
                });
    try {
      runThreads(
          () -> {
            List<LeasedJob> got = lease();
            for (LeasedJob job : got) {
              boolean completed =
                  backend.completeInTransaction(
                      job,
                      h -> h.execute("INSERT INTO effects VALUES (?)", job.id()),
                      clock.instant());
              if (!completed) {
                staleCompletions.incrementAndGet();
              }
            }
            return !got.isEmpty() || count("SELECT count(*) FROM odim_queue.jobs") > 0;
          });
    } finally {
      running.set(false);
      expirer.join();
    }

    assertThat(count("SELECT count(*) FROM effects")).isEqualTo(JOBS);
    assertThat(count("SELECT count(DISTINCT job_id) FROM effects")).isEqualTo(JOBS);
    assertThat(count("SELECT count(*) FROM odim_queue.jobs")).isZero();
    assertThat(count("SELECT count(*) FROM odim_queue.dead_letters")).isZero();
    assertThat(staleCompletions)
        .as("takeovers happened, and their losers were refused")
        .hasPositiveValue();
  }

  /** Runs {@code round} on every thread until it answers false. */
  private static void runThreads(java.util.concurrent.Callable<Boolean> round) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(
            threads.submit(
                () -> {
                  while (round.call()) {
                    // next round
                  }
                  return null;
                }));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static List<LeasedJob> lease() {
    return backend.lease(NewJob.DEFAULT_QUEUE, 10, "w", LEASE, clock.instant());
  }

  private static long count(String query) {
    return db.withHandle(h -> h.createQuery(query).mapTo(Long.class).one());
  }

  private static void pauseMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
