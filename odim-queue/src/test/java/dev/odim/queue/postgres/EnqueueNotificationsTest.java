package dev.odim.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.Worker;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * LISTEN/NOTIFY wakes idle workers: once per enqueue statement and queue, when the transaction
 * commits, and again after the listening connection is lost and replaced.
 */
@ExtendWith(PostgresExtension.class)
class EnqueueNotificationsTest {
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final AtomicInteger SCHEMAS = new AtomicInteger();

  private static Db db;
  private String schema;
  private PostgresBackend backend;
  private JobQueue queue;
  private final AtomicInteger defaultWakes = new AtomicInteger();
  private final AtomicInteger mailWakes = new AtomicInteger();
  private final List<AutoCloseable> subscriptions = new ArrayList<>();

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void openBackend() {
    schema = "notify_" + SCHEMAS.incrementAndGet();
    backend = PostgresBackend.builder(db).schema(schema).build();
    queue = JobQueue.builder(backend).build();
  }

  @AfterEach
  void closeBackend() throws Exception {
    for (AutoCloseable subscription : subscriptions) {
      subscription.close();
    }
    backend.close();
  }

  @Test
  void anEnqueueWakesTheSubscribersOfItsQueueOnly() {
    subscribeAndSettle();
    int mail = mailWakes.get();

    queue.enqueue(NewJob.of("t", "{}"));

    await().atMost(Duration.ofSeconds(10)).until(() -> defaultWakes.get() == 1);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> mailWakes.get() == mail);
  }

  @Test
  void aBatchWakesOnceAndAJobForLaterNotAtAll() {
    subscribeAndSettle();
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      batch.add(NewJob.of("t", "{}"));
    }

    queue.enqueueAll(batch);

    await().atMost(Duration.ofSeconds(10)).until(() -> defaultWakes.get() == 1);
    queue.enqueue(NewJob.of("t", "{}").runAt(Instant.now().plus(Duration.ofHours(1))));
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> defaultWakes.get() == 1);
  }

  @Test
  void theWakeComesWithTheCommit() {
    subscribeAndSettle();
    try (Handle handle = db.jdbi().open()) {
      handle.begin();
      queue.enqueue(handle, NewJob.of("t", "{}"));
      await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> defaultWakes.get() == 0);

      handle.commit();
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> defaultWakes.get() == 1);
  }

  @Test
  void theListenerComesBackAfterItsConnectionIsKilled() {
    subscribeAndSettle();
    int killed = listenerPid().orElseThrow();

    db.withHandle(h -> h.execute("SELECT pg_terminate_backend(?)", killed));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> listenerPid().filter(pid -> pid != killed).isPresent());
    // a new connection wakes everyone: it cannot know what it missed
    await().atMost(Duration.ofSeconds(10)).until(() -> defaultWakes.get() >= 1);
    int before = defaultWakes.get();
    queue.enqueue(NewJob.of("t", "{}"));
    await().atMost(Duration.ofSeconds(10)).until(() -> defaultWakes.get() > before);
  }

  @Test
  void anIdleWorkerRunsANewJobLongBeforeItsNextPoll() {
    AtomicInteger ran = new AtomicInteger();
    try (Worker worker =
        queue
            .worker()
            .handler("t", job -> ran.incrementAndGet())
            .pollInterval(Duration.ofMinutes(1))
            .start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> listenerPid().isPresent());

      queue.enqueue(NewJob.of("t", "{}"));

      await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 1);
      assertThat(worker.id()).isNotBlank();
    }
  }

  /**
   * Subscribes the two counters, waits for the listening connection and for the wake-up every
   * subscriber gets when it connects, then starts the counts from zero.
   */
  private void subscribeAndSettle() {
    subscriptions.add(backend.subscribe(NewJob.DEFAULT_QUEUE, defaultWakes::incrementAndGet));
    subscriptions.add(backend.subscribe("mail", mailWakes::incrementAndGet));
    await().atMost(Duration.ofSeconds(10)).until(() -> listenerPid().isPresent());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> defaultWakes.get() >= 1 && mailWakes.get() >= 1);
    defaultWakes.set(0);
    mailWakes.set(0);
  }

  private Optional<Integer> listenerPid() {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND query = 'LISTEN ' || :channel")
                .bind("channel", schema + "_enqueued")
                .mapTo(Integer.class)
                .findFirst());
  }
}
