package dev.odim.queue.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.queue.Attempt;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobQueue;
import dev.odim.queue.JobState;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueCounts;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real worker processes (child JVMs) killed with SIGKILL mid-job: every job still takes effect
 * exactly once, counted in the database, and a job that kills its worker every time ends in the
 * dead letters after its attempts instead of killing workers forever.
 */
@ExtendWith(PostgresExtension.class)
class WorkerKilledMidJobTest {
  private final TestDatabase database;
  private Db db;
  private JobQueue queue;
  private final List<Process> processes = new ArrayList<>();
  private static final AtomicInteger TESTS = new AtomicInteger();
  private String schema;
  private String effects;

  WorkerKilledMidJobTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void open() {
    int test = TESTS.incrementAndGet();
    schema = "crash_" + test;
    effects = "public.crash_effects_" + test;
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(8).build();
    queue = JobQueue.builder(PostgresBackend.builder(db).schema(schema).build()).build();
    // no unique key on purpose: a job applied twice would show as two rows
    db.useTransaction(h -> h.execute("CREATE TABLE " + effects + " (job_id uuid NOT NULL)"));
  }

  @AfterEach
  void close() {
    processes.forEach(Process::destroyForcibly);
    queue.backend().close();
    db.close();
  }

  @Test
  void jobsTakeEffectExactlyOnceThoughTheirWorkerIsKilledAgainAndAgain() throws Exception {
    int jobs = 400;
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      batch.add(NewJob.of("effect", "{}").maxAttempts(50));
    }
    queue.enqueueAll(batch);

    int kills = 0;
    for (int round = 0; round < 4; round++) {
      Process worker = startWorker();
      long before = effects();
      await().atMost(Duration.ofSeconds(60)).until(() -> effects() > before + 20 || empty());
      if (empty()) {
        break;
      }
      worker.destroyForcibly();
      assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
      kills++;
    }
    startWorker();
    await().atMost(Duration.ofSeconds(120)).until(this::empty);

    assertThat(kills).as("the worker was killed while it had work").isGreaterThanOrEqualTo(2);
    long rows = effects();
    long distinct =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(DISTINCT job_id) FROM " + effects)
                    .mapTo(Long.class)
                    .one());
    assertThat(distinct).as("no job lost").isEqualTo(jobs);
    assertThat(rows).as("no job applied twice").isEqualTo(jobs);
    assertThat(queue.admin().counts(NewJob.DEFAULT_QUEUE).dead()).isZero();
  }

  @Test
  void aJobThatKillsItsWorkerEveryTimeEndsInTheDeadLetters() throws Exception {
    UUID poison = queue.enqueue(NewJob.of("poison", "{}").maxAttempts(3)).jobId();

    for (int life = 0; life < 10 && !isDead(poison); life++) {
      Process worker = startWorker();
      // the poison halts it once its lease is due again, or the worker finds it out of attempts
      await().atMost(Duration.ofSeconds(30)).until(() -> !worker.isAlive() || isDead(poison));
    }

    JobInfo dead = queue.admin().job(poison).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.history())
        .hasSize(3)
        .allMatch(attempt -> attempt.errorClass().equals(Attempt.LEASE_EXPIRED));
  }

  private Process startWorker() throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingWorkerMain.class.getName(),
                database.jdbcUrlWithCredentials(),
                schema,
                effects)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    processes.add(process);
    String line =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assertThat(line).startsWith(CrashingWorkerMain.READY);
    return process;
  }

  private long effects() {
    return db.withHandle(
        h -> h.createQuery("SELECT count(*) FROM " + effects).mapTo(Long.class).one());
  }

  private boolean empty() {
    QueueCounts counts = queue.admin().counts(NewJob.DEFAULT_QUEUE);
    return counts.waiting() + counts.scheduled() + counts.running() == 0;
  }

  private boolean isDead(UUID id) {
    return queue.admin().job(id).map(job -> job.state() == JobState.DEAD).orElse(false);
  }
}
