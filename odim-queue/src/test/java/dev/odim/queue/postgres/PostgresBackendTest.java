package dev.odim.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.queue.Attempt;
import dev.odim.queue.EnqueueResult;
import dev.odim.queue.JobQueue;
import dev.odim.queue.JobState;
import dev.odim.queue.NewJob;
import dev.odim.queue.spi.LeasedJob;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the PostgreSQL backend promises beyond the contract every backend keeps. */
@ExtendWith(PostgresExtension.class)
class PostgresBackendTest {
  private static Db db;
  private static SettableClock clock;
  private static PostgresBackend backend;
  private static JobQueue queue;

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
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
  void emptyTables() {
    db.useTransaction(
        h -> {
          h.execute("DELETE FROM odim_queue.jobs");
          h.execute("DELETE FROM odim_queue.dead_letters");
        });
  }

  @Test
  void thePayloadComesBackByteForByte() {
    String payload = "{\"b\": 1,   \"a\":[2,\n3], \"b\": \"dup\"}";
    queue.enqueue(NewJob.of("t", payload));

    assertThat(lease().getFirst().payload()).isEqualTo(payload);
  }

  @Test
  void aDeadJobsIdStaysTakenSoReplayCanBringItBack() {
    UUID id = UUID.randomUUID();
    queue.enqueue(NewJob.of("t", "1").id(id).maxAttempts(1));
    kill(lease().getFirst());

    EnqueueResult again = queue.enqueue(NewJob.of("t", "2").id(id));

    assertThat(again).isEqualTo(new EnqueueResult(id, true));
    assertThat(backend.replay(List.of(id), clock.instant())).containsExactly(id);
    assertThat(lease().getFirst().payload()).isEqualTo("1");
  }

  @Test
  void replayingTwoDeadJobsWithOneKeyBringsOneBackAndKeepsTheOther() {
    UUID first = queue.enqueue(NewJob.of("t", "1").deduplicationKey("k").maxAttempts(1)).jobId();
    kill(lease().getFirst());
    UUID second = queue.enqueue(NewJob.of("t", "2").deduplicationKey("k").maxAttempts(1)).jobId();
    kill(lease().getFirst());

    List<UUID> replayed = backend.replay(List.of(first, second), clock.instant());

    assertThat(replayed).hasSize(1);
    UUID stayed = replayed.contains(first) ? second : first;
    assertThat(backend.job(replayed.getFirst()).orElseThrow().state()).isEqualTo(JobState.WAITING);
    assertThat(backend.job(stayed).orElseThrow().state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void aJobDueAgainAfterItsLastAttemptWasRetriedIsBuriedNotLeased() {
    UUID id = queue.enqueue(NewJob.of("t", "{}").maxAttempts(1)).jobId();
    LeasedJob job = lease().getFirst();
    backend.retry(job, failure(job), clock.instant()); // a worker should have dead-lettered it

    assertThat(lease()).isEmpty();
    assertThat(backend.job(id).orElseThrow().state()).isEqualTo(JobState.DEAD);
    assertThat(backend.job(id).orElseThrow().reason()).isEqualTo("attempts exhausted (1)");
  }

  @Test
  void theBuilderRefusesASchemaThatIsNotAShortLowercaseIdentifier() {
    for (String schema : List.of("Odim", "odim-queue", "1queue", "", "q".repeat(55))) {
      assertThatThrownBy(() -> PostgresBackend.builder(db).schema(schema).build())
          .isInstanceOfSatisfying(
              OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("schema"));
    }
    PostgresBackend.builder(db).schema("q".repeat(54)).listen(false).build().close();
  }

  private static List<LeasedJob> lease() {
    return backend.lease(NewJob.DEFAULT_QUEUE, 10, "w", Duration.ofSeconds(30), clock.instant());
  }

  private static void kill(LeasedJob job) {
    backend.deadLetter(job, failure(job), "gave up", clock.instant());
  }

  private static Attempt failure(LeasedJob job) {
    return new Attempt(
        job.attempt(), job.startedAt(), clock.instant(), "w", "java.io.IOException", "down", null);
  }
}
