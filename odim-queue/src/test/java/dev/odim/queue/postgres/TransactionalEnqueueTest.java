package dev.odim.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.spi.LeasedJob;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A job enqueued inside a business transaction exists if and only if that transaction commits. */
@ExtendWith(PostgresExtension.class)
class TransactionalEnqueueTest {
  private static Db db;
  private static PostgresBackend backend;
  private static SettableClock clock;
  private static JobQueue queue;

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    clock = SettableClock.standard();
    backend = PostgresBackend.builder(db).clock(clock).build();
    queue = JobQueue.builder(backend).clock(clock).build();
    db.useTransaction(h -> h.execute("CREATE TABLE payments (id uuid PRIMARY KEY)"));
  }

  @BeforeEach
  void emptyQueue() {
    db.useTransaction(h -> h.execute("DELETE FROM odim_queue.jobs"));
  }

  @AfterAll
  static void close() {
    backend.close();
    db.close();
  }

  @Test
  void aRolledBackTransactionLeavesNoJob() {
    UUID payment = UUID.randomUUID();
    UUID[] job = new UUID[1];

    assertThatThrownBy(
            () ->
                db.useTransaction(
                    handle -> {
                      handle.execute("INSERT INTO payments VALUES (?)", payment);
                      job[0] = queue.enqueue(handle, NewJob.of("receipt", "{}")).jobId();
                      throw new IllegalStateException("the business step failed");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(backend.job(job[0])).isEmpty();
    assertThat(lease()).isEmpty();
    assertThat(count("SELECT count(*) FROM payments WHERE id = '" + payment + "'")).isZero();
  }

  @Test
  void aCommittedTransactionLeavesTheJob() {
    UUID payment = UUID.randomUUID();

    UUID job =
        db.inTransaction(
            handle -> {
              handle.execute("INSERT INTO payments VALUES (?)", payment);
              return queue.enqueue(handle, NewJob.of("receipt", "{}")).jobId();
            });

    assertThat(lease()).extracting(LeasedJob::id).containsExactly(job);
  }

  @Test
  void noWorkerSeesTheJobBeforeTheCommit() {
    try (Handle handle = db.jdbi().open()) {
      handle.begin();
      UUID job = queue.enqueue(handle, NewJob.of("receipt", "{}")).jobId();

      assertThat(lease()).as("uncommitted").isEmpty();
      handle.commit();

      assertThat(lease()).extracting(LeasedJob::id).containsExactly(job);
    }
  }

  @Test
  void aDuplicateInsideTheTransactionAnswersTheCommittedJob() {
    UUID first = queue.enqueue(NewJob.of("receipt", "{}").deduplicationKey("receipt:1")).jobId();

    UUID answered =
        db.inTransaction(
            handle ->
                queue
                    .enqueue(handle, NewJob.of("receipt", "{}").deduplicationKey("receipt:1"))
                    .jobId());

    assertThat(answered).isEqualTo(first);
    assertThat(count("SELECT count(*) FROM odim_queue.jobs")).isEqualTo(1);
  }

  private static List<LeasedJob> lease() {
    return backend.lease(NewJob.DEFAULT_QUEUE, 10, "w", Duration.ofSeconds(30), clock.instant());
  }

  private static long count(String query) {
    return db.withHandle(h -> h.createQuery(query).mapTo(Long.class).one());
  }
}
