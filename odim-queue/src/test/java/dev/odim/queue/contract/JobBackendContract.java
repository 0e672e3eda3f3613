package dev.odim.queue.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.core.db.Db;
import dev.odim.queue.Attempt;
import dev.odim.queue.Backoff;
import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.EnqueueResult;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobQueue;
import dev.odim.queue.JobState;
import dev.odim.queue.NewJob;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.queue.QueueAdmin;
import dev.odim.queue.QueueCounts;
import dev.odim.queue.Schedule;
import dev.odim.queue.Worker;
import dev.odim.queue.spi.JobBackend;
import dev.odim.queue.spi.LeasedJob;
import dev.odim.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobBackend} must do, checked against a real server: a backend's test class
 * extends this, says how to open a fresh backend, and inherits every test. Time comes from a {@link
 * SettableClock}, so leases, backoff and schedules are tested without waiting for them.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class PostgresBackendContractTest extends JobBackendContract {
 *   protected JobBackend openBackend(String namespace) { ... }
 * }
 * }</pre>
 */
public abstract class JobBackendContract {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final String WORKER = "contract-worker";
  private static final Duration LEASE = Duration.ofSeconds(30);

  protected SettableClock clock;
  protected JobBackend backend;
  protected JobQueue queue;
  private final List<Worker> workers = new ArrayList<>();

  /**
   * A new backend whose jobs no other test sees: {@code namespace} is unique per test (a lowercase
   * SQL identifier, usable as a schema name or key prefix).
   */
  protected abstract JobBackend openBackend(String namespace);

  /**
   * The database a transactional handler writes to with this backend, or empty when the backend
   * runs no transactional handlers.
   */
  protected abstract Optional<Db> effectsDatabase();

  @BeforeEach
  void openQueue() {
    clock = SettableClock.standard();
    backend = openBackend("contract_" + NAMESPACES.incrementAndGet());
    queue = JobQueue.builder(backend).clock(clock).build();
  }

  @AfterEach
  void closeQueue() {
    workers.forEach(Worker::close);
    backend.close();
  }

  // ---- enqueue ---------------------------------------------------------------------------------

  @Test
  void anEnqueuedJobIsLeasedOnceWithItsFields() {
    UUID id =
        queue
            .enqueue(
                NewJob.of("email", "{\"to\":\"ada@example.com\"}")
                    .orderingKey("k")
                    .maxAttempts(4)
                    .timeout(Duration.ofSeconds(7)))
            .jobId();

    List<LeasedJob> leased = lease(10);

    assertThat(leased).hasSize(1);
    LeasedJob job = leased.getFirst();
    assertThat(job.id()).isEqualTo(id);
    assertThat(job.type()).isEqualTo("email");
    assertThat(job.queue()).isEqualTo(NewJob.DEFAULT_QUEUE);
    assertThat(job.payload()).contains("ada@example.com");
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.maxAttempts()).isEqualTo(4);
    assertThat(job.timeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(job.orderingKey()).isEqualTo("k");
    assertThat(job.backoff()).isEqualTo(Backoff.defaults());
    assertThat(job.worker()).isEqualTo(WORKER);
    assertThat(job.startedAt()).isEqualTo(clock.instant());
    assertThat(lease(10)).as("a leased job is not leased again").isEmpty();
  }

  @Test
  void theSameIdTwiceIsOneJob() {
    UUID id = UUID.randomUUID();
    EnqueueResult first = queue.enqueue(NewJob.of("t", "1").id(id));
    EnqueueResult second = queue.enqueue(NewJob.of("t", "2").id(id));

    assertThat(first).isEqualTo(new EnqueueResult(id, false));
    assertThat(second).isEqualTo(new EnqueueResult(id, true));
    assertThat(lease(10)).extracting(LeasedJob::payload).containsExactly("1");
  }

  @Test
  void aDeduplicationKeyHoldsWhileTheJobIsUnfinishedOnly() {
    EnqueueResult first = queue.enqueue(NewJob.of("t", "1").deduplicationKey("receipt:42"));
    EnqueueResult again = queue.enqueue(NewJob.of("t", "2").deduplicationKey("receipt:42"));
    EnqueueResult otherQueue =
        queue.enqueue(NewJob.of("t", "3").deduplicationKey("receipt:42").queue("other"));

    assertThat(again).isEqualTo(new EnqueueResult(first.jobId(), true));
    assertThat(otherQueue.duplicate()).isFalse();

    LeasedJob leased = lease(10).getFirst();
    assertThat(queue.enqueue(NewJob.of("t", "4").deduplicationKey("receipt:42")).duplicate())
        .as("still unfinished while running")
        .isTrue();
    backend.complete(List.of(leased), clock.instant());

    EnqueueResult afterFinish = queue.enqueue(NewJob.of("t", "5").deduplicationKey("receipt:42"));
    assertThat(afterFinish.duplicate()).isFalse();
    assertThat(afterFinish.jobId()).isNotEqualTo(first.jobId());
  }

  @Test
  void aBatchIsEnqueuedWithOneAnswerPerJob() {
    UUID taken = queue.enqueue(NewJob.of("t", "0").deduplicationKey("d")).jobId();
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      jobs.add(NewJob.of("t", Integer.toString(i)));
    }
    jobs.add(NewJob.of("t", "\"dup\"").deduplicationKey("d"));

    List<EnqueueResult> results = queue.enqueueAll(jobs);

    assertThat(results).hasSize(51);
    assertThat(results.subList(0, 50)).noneMatch(EnqueueResult::duplicate);
    assertThat(results.getLast()).isEqualTo(new EnqueueResult(taken, true));
    assertThat(admin().counts(NewJob.DEFAULT_QUEUE).waiting()).isEqualTo(51);
  }

  // ---- order ---------------------------------------------------------------------------------

  @Test
  void smallerPriorityFirstThenEnqueueOrder() {
    queue.enqueue(NewJob.of("t", "\"low-1\"").priority(5));
    queue.enqueue(NewJob.of("t", "\"high-1\"").priority(-5));
    queue.enqueue(NewJob.of("t", "\"low-2\"").priority(5));
    queue.enqueue(NewJob.of("t", "\"high-2\"").priority(-5));
    queue.enqueue(NewJob.of("t", "\"mid\""));

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      order.add(lease(1).getFirst().payload());
    }
    assertThat(order)
        .containsExactly("\"high-1\"", "\"high-2\"", "\"mid\"", "\"low-1\"", "\"low-2\"");
  }

  @Test
  void aJobRunsNoSoonerThanItsRunAt() {
    queue.enqueue(NewJob.of("t", "{}").runAt(clock.instant().plusSeconds(60)));

    assertThat(lease(10)).isEmpty();
    assertThat(admin().counts(NewJob.DEFAULT_QUEUE).scheduled()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(59));
    assertThat(lease(10)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(lease(10)).hasSize(1);
  }

  @Test
  void jobsWithOneOrderingKeyRunOneAtATimeInOrder() {
    UUID a1 = queue.enqueue(NewJob.of("t", "\"a1\"").orderingKey("a")).jobId();
    UUID a2 = queue.enqueue(NewJob.of("t", "\"a2\"").orderingKey("a")).jobId();
    UUID b1 = queue.enqueue(NewJob.of("t", "\"b1\"").orderingKey("b")).jobId();
    UUID free = queue.enqueue(NewJob.of("t", "\"free\"")).jobId();

    List<LeasedJob> first = lease(10);
    assertThat(first).extracting(LeasedJob::id).containsExactlyInAnyOrder(a1, b1, free);

    LeasedJob leasedA1 = first.stream().filter(j -> j.id().equals(a1)).findFirst().orElseThrow();
    backend.retry(leasedA1, failure(leasedA1), clock.instant().plusSeconds(10));
    assertThat(lease(10)).as("a2 waits while a1 waits for its retry").isEmpty();

    clock.advance(Duration.ofSeconds(10));
    LeasedJob retried = lease(10).getFirst();
    assertThat(retried.id()).isEqualTo(a1);
    backend.complete(List.of(retried), clock.instant());
    assertThat(lease(10)).extracting(LeasedJob::id).containsExactly(a2);
  }

  @Test
  void aDeadHeadReleasesItsOrderingKey() {
    UUID a1 = queue.enqueue(NewJob.of("t", "1").orderingKey("a")).jobId();
    UUID a2 = queue.enqueue(NewJob.of("t", "2").orderingKey("a")).jobId();
    LeasedJob head = lease(10).getFirst();
    assertThat(head.id()).isEqualTo(a1);

    backend.deadLetter(head, failure(head), "gave up", clock.instant());

    assertThat(lease(10)).extracting(LeasedJob::id).containsExactly(a2);
  }

  // ---- leases --------------------------------------------------------------------------------

  @Test
  void anExpiredLeaseIsRecordedAndTheJobRunsAgain() {
    UUID id = queue.enqueue(NewJob.of("t", "{}").maxAttempts(3)).jobId();
    LeasedJob first = lease(1).getFirst();

    clock.advance(LEASE.plusSeconds(1));
    LeasedJob second = lease(1).getFirst();

    assertThat(second.id()).isEqualTo(id);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.leaseToken()).isNotEqualTo(first.leaseToken());
    assertThat(backend.heartbeat(List.of(first), clock.instant().plus(LEASE)))
        .as("the first lease is lost")
        .containsExactly(id);
    backend.complete(List.of(first), clock.instant());
    assertThat(backend.job(id)).as("a stale lease cannot complete the job").isPresent();

    List<Attempt> history = backend.job(id).orElseThrow().history();
    assertThat(history).hasSize(1);
    assertThat(history.getFirst().errorClass()).isEqualTo(Attempt.LEASE_EXPIRED);
    assertThat(history.getFirst().number()).isEqualTo(1);
    assertThat(history.getFirst().worker()).isEqualTo(WORKER);

    backend.complete(List.of(second), clock.instant());
    assertThat(backend.job(id)).isEmpty();
  }

  @Test
  void aJobThatKeepsLosingItsWorkerEndsInTheDeadLettersNotInALoop() {
    UUID id = queue.enqueue(NewJob.of("t", "{}").maxAttempts(2)).jobId();
    lease(1);
    clock.advance(LEASE.plusSeconds(1));
    assertThat(lease(1).getFirst().attempt()).isEqualTo(2);
    clock.advance(LEASE.plusSeconds(1));

    assertThat(lease(1)).isEmpty();
    JobInfo dead = backend.job(id).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.history())
        .hasSize(2)
        .allMatch(a -> a.errorClass().equals(Attempt.LEASE_EXPIRED));
    assertThat(dead.reason()).containsIgnoringCase("lease");
  }

  @Test
  void aHeartbeatKeepsTheLease() {
    queue.enqueue(NewJob.of("t", "{}"));
    LeasedJob job = lease(1).getFirst();

    for (int i = 0; i < 5; i++) {
      clock.advance(LEASE.minusSeconds(5));
      assertThat(backend.heartbeat(List.of(job), clock.instant().plus(LEASE))).isEmpty();
      assertThat(lease(1)).isEmpty();
    }
    assertThat(admin().counts(NewJob.DEFAULT_QUEUE).running()).isEqualTo(1);
  }

  @Test
  void aReleasedJobIsDueAtOnceAndItsAttemptIsNotCounted() {
    queue.enqueue(NewJob.of("t", "{}"));
    LeasedJob job = lease(1).getFirst();

    backend.release(List.of(job), clock.instant());

    LeasedJob again = lease(1).getFirst();
    assertThat(again.attempt()).isEqualTo(1);
    assertThat(backend.job(again.id()).orElseThrow().history()).isEmpty();
  }

  @Test
  void manyLeasersNeverShareAJob() throws Exception {
    int jobs = 400;
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      batch.add(NewJob.of("t", Integer.toString(i)));
    }
    queue.enqueueAll(batch);
    Map<UUID, Integer> leasedTimes = new ConcurrentHashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        done.add(
            threads.submit(
                () -> {
                  while (true) {
                    List<LeasedJob> got =
                        backend.lease(NewJob.DEFAULT_QUEUE, 7, WORKER, LEASE, clock.instant());
                    if (got.isEmpty()) {
                      return null;
                    }
                    got.forEach(j -> leasedTimes.merge(j.id(), 1, Integer::sum));
                    backend.complete(got, clock.instant());
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(leasedTimes).hasSize(jobs);
    assertThat(leasedTimes.values()).allMatch(times -> times == 1);
    QueueCounts counts = admin().counts(NewJob.DEFAULT_QUEUE);
    assertThat(counts.waiting() + counts.running() + counts.scheduled()).isZero();
  }

  // ---- retries and dead letters ---------------------------------------------------------------

  @Test
  void aRetriedJobWaitsForItsRunAtAndKeepsItsHistory() {
    UUID id = queue.enqueue(NewJob.of("t", "{}")).jobId();
    LeasedJob job = lease(1).getFirst();

    backend.retry(job, failure(job), clock.instant().plusSeconds(30));

    assertThat(lease(1)).isEmpty();
    assertThat(backend.job(id).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    clock.advance(Duration.ofSeconds(30));
    LeasedJob again = lease(1).getFirst();
    assertThat(again.attempt()).isEqualTo(2);
    List<Attempt> history = backend.job(id).orElseThrow().history();
    assertThat(history).hasSize(1);
    assertThat(history.getFirst().errorClass()).isEqualTo("java.io.IOException");
    assertThat(history.getFirst().message()).isEqualTo("provider down");
    assertThat(history.getFirst().stackSummary()).contains("at ");
  }

  @Test
  void deadLettersAreListedReplayedAndDiscarded() {
    UUID keep = queue.enqueue(NewJob.of("charge", "{\"n\":1}").maxAttempts(1)).jobId();
    UUID drop = queue.enqueue(NewJob.of("refund", "{\"n\":2}").maxAttempts(1)).jobId();
    for (LeasedJob job : lease(10)) {
      clock.advance(Duration.ofSeconds(1));
      backend.deadLetter(job, failure(job), "attempts exhausted", clock.instant());
    }

    DeadLetterPage all = admin().deadLetters(DeadLetterQuery.all());
    assertThat(all.items()).extracting(JobInfo::id).containsExactly(drop, keep); // newest first
    JobInfo charge = backend.job(keep).orElseThrow();
    assertThat(charge.state()).isEqualTo(JobState.DEAD);
    assertThat(charge.payload()).isEqualTo("{\"n\":1}");
    assertThat(charge.reason()).isEqualTo("attempts exhausted");
    assertThat(charge.history()).hasSize(1);
    assertThat(admin().deadLetters(DeadLetterQuery.all().type("charge")).items())
        .extracting(JobInfo::id)
        .containsExactly(keep);
    assertThat(admin().counts(NewJob.DEFAULT_QUEUE).dead()).isEqualTo(2);

    assertThat(admin().replay(keep)).isTrue();
    assertThat(admin().replay(keep)).as("no longer dead").isFalse();
    LeasedJob replayed = lease(10).getFirst();
    assertThat(replayed.id()).isEqualTo(keep);
    assertThat(replayed.attempt()).isEqualTo(1);
    assertThat(backend.job(keep).orElseThrow().history()).as("history kept").hasSize(1);

    assertThat(admin().discard(drop)).isTrue();
    assertThat(backend.job(drop)).isEmpty();
  }

  @Test
  void deadLettersPageWithACursorAndReplayInBulkByFilter() {
    List<UUID> dead = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String type = i % 2 == 0 ? "even" : "odd";
      dead.add(queue.enqueue(NewJob.of(type, Integer.toString(i)).maxAttempts(1)).jobId());
    }
    for (LeasedJob job : lease(10)) {
      clock.advance(Duration.ofSeconds(1));
      backend.deadLetter(job, failure(job), "x", clock.instant());
    }

    Set<UUID> seen = new HashSet<>();
    DeadLetterQuery page = DeadLetterQuery.all().limit(3);
    int pages = 0;
    while (true) {
      DeadLetterPage found = admin().deadLetters(page);
      pages++;
      found.items().forEach(j -> assertThat(seen.add(j.id())).isTrue());
      if (found.nextCursor() == null) {
        break;
      }
      page = page.after(found.nextCursor());
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(dead);
    assertThat(pages).isBetween(3, 4);

    assertThat(admin().replayAll(DeadLetterQuery.all().type("even"))).isEqualTo(4);
    assertThat(lease(10)).hasSize(4).allMatch(j -> j.type().equals("even"));
    assertThat(admin().counts(NewJob.DEFAULT_QUEUE).dead()).isEqualTo(3);
  }

  @Test
  void theRetentionPolicyDeletesOldDeadLettersOnly() {
    queue.enqueue(NewJob.of("t", "1").maxAttempts(1));
    LeasedJob old = lease(1).getFirst();
    backend.deadLetter(old, failure(old), "x", clock.instant());
    clock.advance(Duration.ofDays(10));
    queue.enqueue(NewJob.of("t", "2").maxAttempts(1));
    LeasedJob recent = lease(1).getFirst();
    backend.deadLetter(recent, failure(recent), "x", clock.instant());

    assertThat(admin().purgeDeadLetters(Duration.ofDays(7))).isEqualTo(1);
    assertThat(backend.job(old.id())).isEmpty();
    assertThat(backend.job(recent.id())).isPresent();
  }

  @Test
  void aReplayWhoseDeduplicationKeyIsTakenStaysDead() {
    UUID dead = queue.enqueue(NewJob.of("t", "1").deduplicationKey("k").maxAttempts(1)).jobId();
    LeasedJob job = lease(1).getFirst();
    backend.deadLetter(job, failure(job), "x", clock.instant());
    UUID live = queue.enqueue(NewJob.of("t", "2").deduplicationKey("k")).jobId();

    assertThat(admin().replay(dead)).isFalse();
    assertThat(backend.job(dead).orElseThrow().state()).isEqualTo(JobState.DEAD);
    assertThat(backend.job(live).orElseThrow().state()).isEqualTo(JobState.WAITING);
  }

  @Test
  void statesAndQueuesAreCounted() {
    queue.enqueue(NewJob.of("t", "1"));
    clock.advance(Duration.ofSeconds(5));
    queue.enqueue(NewJob.of("t", "2"));
    queue.enqueue(NewJob.of("t", "3").runAt(clock.instant().plusSeconds(60)));
    queue.enqueue(NewJob.of("t", "4").queue("mail"));
    clock.advance(Duration.ofSeconds(5));

    QueueCounts counts = admin().counts(NewJob.DEFAULT_QUEUE);
    assertThat(counts.waiting()).isEqualTo(2);
    assertThat(counts.scheduled()).isEqualTo(1);
    assertThat(counts.running()).isZero();
    assertThat(counts.oldestWaiting()).isEqualTo(Duration.ofSeconds(10));
    assertThat(admin().counts()).extracting(QueueCounts::queue).contains("default", "mail");

    lease(1);
    assertThat(admin().counts(NewJob.DEFAULT_QUEUE).running()).isEqualTo(1);
  }

  // ---- schedules -----------------------------------------------------------------------------

  @Test
  void aScheduleSlotFiresOnce() {
    Instant slot = Instant.parse("2026-01-01T00:00:00Z");
    NewJob job = NewJob.of("reconcile", "{}").id(UUID.randomUUID());

    assertThat(backend.lastFired("hourly")).isEmpty();
    assertThat(backend.fireSchedule("hourly", slot, job, clock.instant())).isTrue();
    assertThat(backend.fireSchedule("hourly", slot, job, clock.instant())).isFalse();
    assertThat(backend.lastFired("hourly")).contains(slot);
    assertThat(lease(10)).hasSize(1);
    assertThat(
            backend.fireSchedule(
                "hourly", slot.minusSeconds(3600), job.id(UUID.randomUUID()), clock.instant()))
        .as("an older slot never fires after a newer one")
        .isFalse();
  }

  // ---- through a worker ----------------------------------------------------------------------

  @Test
  void aWorkerRunsJobsAndRemovesThem() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    worker(queue.worker().handler("t", job -> seen.add(job.payload())).concurrency(4));
    for (int i = 0; i < 30; i++) {
      queue.enqueue(NewJob.of("t", Integer.toString(i)));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 30);
    await().atMost(Duration.ofSeconds(10)).until(this::empty);
  }

  @Test
  void threeAttemptsSpreadOverTwentyFourHoursThenDeadLetters() {
    List<Instant> attempts = new CopyOnWriteArrayList<>();
    worker(
        queue
            .worker()
            .handler(
                "webhook",
                job -> {
                  attempts.add(clock.instant());
                  throw new IllegalStateException("still failing " + job.attempt());
                }));
    Instant enqueued = clock.instant();
    UUID id =
        queue
            .enqueue(
                NewJob.of("webhook", "{}")
                    .maxAttempts(3)
                    .backoff(Backoff.spread(3, Duration.ofHours(24))))
            .jobId();

    for (int attempt = 1; attempt <= 3; attempt++) {
      int expected = attempt;
      await().atMost(Duration.ofSeconds(20)).until(() -> attempts.size() >= expected);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> backend.job(id).map(j -> j.state() != JobState.RUNNING).orElse(false));
      if (attempt < 3) {
        clock.advance(Duration.ofHours(4).minusMinutes(1));
        assertThat(backend.job(id).orElseThrow().state())
            .as("equal jitter waits at least half of the first delay")
            .isEqualTo(JobState.SCHEDULED);
        clock.advance(Duration.ofHours(attempt == 1 ? 4 : 12).plusMinutes(1));
      }
    }

    JobInfo dead = backend.job(id).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.history()).hasSize(3);
    assertThat(dead.reason()).contains("attempts exhausted").contains("still failing 3");
    assertThat(Duration.between(enqueued, attempts.get(2)))
        .isLessThanOrEqualTo(Duration.ofHours(24));
    assertThat(Duration.between(attempts.get(0), attempts.get(1)))
        .isBetween(Duration.ofHours(4), Duration.ofHours(8));
    assertThat(Duration.between(attempts.get(1), attempts.get(2)))
        .isBetween(Duration.ofHours(8), Duration.ofHours(16));
  }

  @Test
  void aPermanentFailureGoesStraightToTheDeadLetters() {
    AtomicInteger runs = new AtomicInteger();
    worker(
        queue
            .worker()
            .handler(
                "t",
                job -> {
                  runs.incrementAndGet();
                  throw new PermanentJobFailure("card declined for good");
                }));
    UUID id = queue.enqueue(NewJob.of("t", "{}").maxAttempts(10)).jobId();

    await().atMost(Duration.ofSeconds(20)).until(() -> isDead(id));
    assertThat(runs).hasValue(1);
    assertThat(backend.job(id).orElseThrow().reason())
        .startsWith("permanent failure")
        .contains("card declined for good");
  }

  @Test
  void anUnknownTypeIsDeadLetteredAndTheWorkerGoesOn() {
    AtomicInteger known = new AtomicInteger();
    worker(queue.worker().handler("known", job -> known.incrementAndGet()));
    UUID unknown = queue.enqueue(NewJob.of("mystery", "{}")).jobId();
    queue.enqueue(NewJob.of("known", "{}"));

    await().atMost(Duration.ofSeconds(20)).until(() -> isDead(unknown) && known.get() == 1);
    assertThat(backend.job(unknown).orElseThrow().reason()).contains("mystery");
  }

  @Test
  void anErrorOrATimeoutFailsTheAttemptNotTheWorker() {
    AtomicInteger after = new AtomicInteger();
    worker(
        queue
            .worker()
            .handler(
                "error",
                job -> {
                  throw new StackOverflowError("deep");
                })
            .handler("slow", job -> Thread.sleep(60_000))
            .handler("after", job -> after.incrementAndGet())
            .concurrency(2));
    UUID error = queue.enqueue(NewJob.of("error", "{}").maxAttempts(1)).jobId();
    UUID slow =
        queue
            .enqueue(NewJob.of("slow", "{}").maxAttempts(1).timeout(Duration.ofMillis(200)))
            .jobId();

    await().atMost(Duration.ofSeconds(20)).until(() -> isDead(error) && isDead(slow));
    assertThat(backend.job(error).orElseThrow().history().getFirst().errorClass())
        .isEqualTo("java.lang.StackOverflowError");
    assertThat(backend.job(slow).orElseThrow().history().getFirst().errorClass())
        .isEqualTo("java.util.concurrent.TimeoutException");

    for (int i = 0; i < 5; i++) {
      queue.enqueue(NewJob.of("after", "{}"));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> after.get() == 5);
  }

  @Test
  void closingHandsUnfinishedJobsBackUncounted() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    Worker worker =
        queue
            .worker()
            .handler(
                "long",
                job -> {
                  started.countDown();
                  Thread.sleep(60_000);
                })
            .shutdownGrace(Duration.ofMillis(200))
            .start();
    UUID id = queue.enqueue(NewJob.of("long", "{}")).jobId();
    assertThat(started.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    worker.close();

    LeasedJob again = lease(1).getFirst();
    assertThat(again.id()).isEqualTo(id);
    assertThat(again.attempt()).as("the interrupted attempt is not counted").isEqualTo(1);
  }

  @Test
  void closingLetsRunningJobsFinishWithinTheGrace() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    Worker worker =
        queue
            .worker()
            .handler(
                "short",
                job -> {
                  started.countDown();
                  Thread.sleep(300);
                  finished.incrementAndGet();
                })
            .shutdownGrace(Duration.ofSeconds(10))
            .start();
    UUID id = queue.enqueue(NewJob.of("short", "{}")).jobId();
    assertThat(started.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    worker.close();

    assertThat(finished).hasValue(1);
    assertThat(backend.job(id)).as("completed before close returned").isEmpty();
  }

  @Test
  void prefetchedJobsWaitForARunSlot() {
    AtomicInteger runningNow = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    worker(
        queue
            .worker()
            .handler(
                "t",
                job -> {
                  mostAtOnce.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
                  Thread.sleep(5);
                  runningNow.decrementAndGet();
                  done.incrementAndGet();
                })
            .concurrency(2)
            .prefetch(10));
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(NewJob.of("t", Integer.toString(i)));
    }
    queue.enqueueAll(jobs);

    await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == 40);
    assertThat(mostAtOnce.get()).isBetween(1, 2);
    await().atMost(Duration.ofSeconds(10)).until(this::empty);
  }

  @Test
  void jobsOfOneOrderingKeyNeverOverlapUnderConcurrency() {
    int keys = 4;
    int perKey = 25;
    Map<String, AtomicInteger> runningPerKey = new ConcurrentHashMap<>();
    Map<String, List<Integer>> orderPerKey = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    worker(
        queue
            .worker()
            .handler(
                "ordered",
                job -> {
                  String key = job.orderingKey();
                  AtomicInteger now = runningPerKey.computeIfAbsent(key, k -> new AtomicInteger());
                  if (now.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                  }
                  orderPerKey
                      .computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                      .add(Integer.parseInt(job.payload()));
                  Thread.sleep(2);
                  now.decrementAndGet();
                  done.incrementAndGet();
                })
            .concurrency(16));
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < perKey; i++) {
      for (int k = 0; k < keys; k++) {
        jobs.add(NewJob.of("ordered", Integer.toString(i)).orderingKey("key-" + k));
      }
    }
    queue.enqueueAll(jobs);

    await().atMost(Duration.ofSeconds(60)).until(() -> done.get() == keys * perKey);
    assertThat(overlaps).hasValue(0);
    assertThat(orderPerKey).hasSize(keys);
    for (List<Integer> order : orderPerKey.values()) {
      assertThat(order).isSorted().hasSize(perKey);
    }
  }

  @Test
  void twoWorkersFireEachCronSlotOnce() {
    Map<String, AtomicInteger> runsPerSlot = new ConcurrentHashMap<>();
    clock.set(Instant.parse("2026-01-01T09:59:30Z"));
    Schedule hourly =
        Schedule.cron(
            "hourly-reconcile", "0 * * * *", ZoneOffset.UTC, NewJob.of("reconcile", "{}"));
    for (int i = 0; i < 2; i++) {
      worker(
          queue
              .worker()
              .workerId("instance-" + i)
              .schedule(hourly)
              .handler(
                  "reconcile",
                  job ->
                      runsPerSlot
                          .computeIfAbsent(
                              clock
                                  .instant()
                                  .truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                                  .toString(),
                              k -> new AtomicInteger())
                          .incrementAndGet())
              .pollInterval(Duration.ofMillis(20)));
    }

    for (int hour = 10; hour <= 12; hour++) {
      clock.set(Instant.parse("2026-01-01T" + hour + ":00:05Z"));
      String slot = "2026-01-01T" + hour + ":00:00Z";
      await().atMost(Duration.ofSeconds(20)).until(() -> runsPerSlot.containsKey(slot));
      pauseMillis(1_500); // both instances' schedulers have looked at this slot by now
    }

    assertThat(runsPerSlot)
        .containsOnlyKeys("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z");
    assertThat(runsPerSlot.values()).allMatch(runs -> runs.get() == 1);
  }

  @Test
  void aTransactionalHandlerCommitsItsWritesOnceWithTheCompletion() throws Exception {
    Optional<Db> effects = effectsDatabase();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        effects.isPresent(), "this backend runs no transactional handlers");
    Db db = effects.get();
    String table = "contract_effects_" + NAMESPACES.incrementAndGet();
    db.useTransaction(h -> h.execute("CREATE TABLE " + table + " (job_id uuid PRIMARY KEY)"));
    AtomicInteger failures = new AtomicInteger();
    worker(
        queue
            .worker()
            .transactionalHandler(
                "effect",
                (job, handle) -> {
                  handle.execute("INSERT INTO " + table + " VALUES (?)", job.id());
                  if (job.payload().equals("\"fail-once\"") && job.attempt() == 1) {
                    failures.incrementAndGet();
                    throw new IllegalStateException("rolled back with the insert");
                  }
                })
            .concurrency(8));
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(
          NewJob.of("effect", i % 10 == 0 ? "\"fail-once\"" : "{}")
              .backoff(Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(1))));
    }
    List<UUID> ids = queue.enqueueAll(jobs).stream().map(EnqueueResult::jobId).toList();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> retriesDue() && db.withHandle(h -> count(h, table)) == 40 && empty());
    assertThat(failures).hasValue(4);
    List<UUID> written =
        db.withHandle(h -> h.createQuery("SELECT job_id FROM " + table).mapTo(UUID.class).list());
    assertThat(written).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aListenerAndTheMetersHearEveryOutcome() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    List<String> events = new CopyOnWriteArrayList<>();
    worker(
        queue
            .worker()
            .handler("ok", job -> {})
            .handler(
                "bad",
                job -> {
                  throw new IllegalStateException("no");
                })
            .listener(
                new dev.odim.queue.JobListener() {
                  @Override
                  public void succeeded(dev.odim.queue.JobContext job, Duration took) {
                    events.add("succeeded:" + job.type());
                  }

                  @Override
                  public void retryScheduled(
                      dev.odim.queue.JobContext job, Throwable failure, Instant nextRunAt) {
                    events.add("retry:" + job.type());
                  }

                  @Override
                  public void deadLettered(dev.odim.queue.JobContext job, String reason) {
                    events.add("dead:" + job.type());
                  }
                })
            .meterRegistry(meters));
    queue.enqueue(NewJob.of("ok", "{}"));
    queue.enqueue(
        NewJob.of("bad", "{}")
            .maxAttempts(2)
            .backoff(Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(1))));

    await().atMost(Duration.ofSeconds(20)).until(() -> retriesDue() && events.size() == 3);
    assertThat(events).containsExactlyInAnyOrder("succeeded:ok", "retry:bad", "dead:bad");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                meters
                        .counter("odim.queue.jobs.succeeded", "queue", "default", "type", "ok")
                        .count()
                    == 1);
    assertThat(
            meters
                .counter("odim.queue.jobs.dead.lettered", "queue", "default", "type", "bad")
                .count())
        .isEqualTo(1);
    assertThat(meters.get("odim.dead.letters").gauge().value()).isEqualTo(1);
  }

  @Test
  void aRateLimitHoldsJobsOfItsTypeBack() {
    List<Long> starts = new CopyOnWriteArrayList<>();
    worker(
        queue
            .worker()
            .handler("provider-call", job -> starts.add(System.nanoTime()))
            .rateLimit("provider-call", 5, Duration.ofSeconds(1))
            .concurrency(20));
    for (int i = 0; i < 12; i++) {
      queue.enqueue(NewJob.of("provider-call", "{}"));
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> starts.size() == 12);
    List<Long> sorted = starts.stream().sorted().toList();
    // the bucket starts full (5), then refills 5 per second: the 11th start is at least 1 s after
    // the first, and no window of one second holds more than 5 + 5 starts
    assertThat(sorted.get(10) - sorted.get(0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());
  }

  // ---- helpers -------------------------------------------------------------------------------

  protected final List<LeasedJob> lease(int max) {
    return backend.lease(NewJob.DEFAULT_QUEUE, max, WORKER, LEASE, clock.instant());
  }

  protected final QueueAdmin admin() {
    return queue.admin();
  }

  protected final Worker worker(dev.odim.queue.WorkerBuilder builder) {
    Worker worker =
        builder.pollInterval(Duration.ofMillis(20)).shutdownGrace(Duration.ofSeconds(2)).start();
    workers.add(worker);
    return worker;
  }

  private Attempt failure(LeasedJob job) {
    Exception error = new java.io.IOException("provider down");
    return new Attempt(
        job.attempt(),
        job.startedAt(),
        clock.instant(),
        WORKER,
        error.getClass().getName(),
        error.getMessage(),
        "at " + error.getStackTrace()[0]);
  }

  /** Moves the clock past a 1 ms backoff, so that a retry scheduled by it becomes due. */
  private boolean retriesDue() {
    clock.advance(Duration.ofMillis(2));
    return true;
  }

  private boolean isDead(UUID id) {
    return backend.job(id).map(job -> job.state() == JobState.DEAD).orElse(false);
  }

  private boolean empty() {
    QueueCounts counts = admin().counts(NewJob.DEFAULT_QUEUE);
    return counts.waiting() + counts.scheduled() + counts.running() == 0;
  }

  private static long count(org.jdbi.v3.core.Handle handle, String table) {
    return handle.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one();
  }

  private static void pauseMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
