package dev.odim.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.queue.Attempt;
import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.EnqueueResult;
import dev.odim.queue.JobInfo;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueException;
import dev.odim.queue.Worker;
import dev.odim.queue.spi.LeasedJob;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.RedisExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the Redis backend adds to the contract, on a real Redis (and PostgreSQL for transactional
 * handlers): its scripts under contention, lease reclaim, pub/sub wake-ups, finished-id markers,
 * exactly-once transactional completion across a lost lease, and its settings. Each test has a key
 * prefix of its own.
 */
@ExtendWith({RedisExtension.class, PostgresExtension.class})
class RedisBackendTest {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String QUEUE = NewJob.DEFAULT_QUEUE;

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;
  private static Db db;
  private static String redisUri;

  private String prefix;
  private SettableClock clock;
  private RedisBackend backend;
  private JobQueue queue;

  @BeforeAll
  static void start(TestRedis testRedis, TestDatabase database) {
    redisUri = testRedis.uri();
    client = RedisClient.create(redisUri);
    connection = client.connect();
    redis = connection.sync();
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
  }

  @AfterAll
  static void stop() {
    connection.close();
    client.shutdown();
    db.close();
  }

  @BeforeEach
  void open() {
    prefix = "redis_test_" + PREFIXES.incrementAndGet();
    clock = SettableClock.standard();
    backend = RedisBackend.builder(client).keyPrefix(prefix).database(db).build();
    queue = JobQueue.builder(backend).clock(clock).build();
  }

  @AfterEach
  void close() {
    backend.close();
  }

  // ---- scripts under contention -----------------------------------------------------------------

  @Test
  void concurrentEnqueuersAndLeasersNeverShareAJobAndLeaveNothingBehind() throws Exception {
    int producers = 4;
    int batches = 25;
    int perBatch = 20;
    int total = producers * batches * perBatch;
    Map<UUID, Integer> leasedTimes = new ConcurrentHashMap<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    ExecutorService threads = Executors.newFixedThreadPool(producers + 8);
    try {
      List<Future<?>> enqueuers = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        enqueuers.add(
            threads.submit(
                () -> {
                  for (int b = 0; b < batches; b++) {
                    List<NewJob> jobs = new ArrayList<>();
                    for (int i = 0; i < perBatch; i++) {
                      jobs.add(NewJob.of("t", "{}"));
                    }
                    queue.enqueueAll(jobs);
                  }
                  return null;
                }));
      }
      List<Future<?>> leasers = new ArrayList<>();
      for (int l = 0; l < 8; l++) {
        leasers.add(
            threads.submit(
                () -> {
                  while (true) {
                    boolean lastLook = !producing.get();
                    List<LeasedJob> got = backend.lease(QUEUE, 13, "w", LEASE, clock.instant());
                    got.forEach(j -> leasedTimes.merge(j.id(), 1, Integer::sum));
                    backend.complete(got, clock.instant());
                    if (got.isEmpty() && lastLook) {
                      return null;
                    }
                  }
                }));
      }
      for (Future<?> f : enqueuers) {
        f.get(60, TimeUnit.SECONDS);
      }
      producing.set(false);
      for (Future<?> f : leasers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(leasedTimes).hasSize(total);
    assertThat(leasedTimes.values()).allMatch(times -> times == 1);
    assertThat(keysMatching(":job:*")).as("job hashes left in Redis").isZero();
    assertThat(
            redis.scard(
                prefix + ":{default}:done:" + clock.millis() / Duration.ofDays(7).toMillis()))
        .as("finished ids")
        .isEqualTo(total);
  }

  // ---- leases -----------------------------------------------------------------------------------

  @Test
  void anExpiredLeaseKeepsItsOrderingKeyUntilTheJobFinishes() {
    UUID first = queue.enqueue(NewJob.of("t", "1").orderingKey("payment:7")).jobId();
    UUID second = queue.enqueue(NewJob.of("t", "2").orderingKey("payment:7")).jobId();
    assertThat(lease(10)).extracting(LeasedJob::id).containsExactly(first);

    clock.advance(LEASE.plusSeconds(1));
    assertThat(queue.admin().counts(QUEUE).waiting()).isEqualTo(2);
    LeasedJob again = lease(10).getFirst();

    assertThat(again.id()).as("the reclaimed head, not the job behind it").isEqualTo(first);
    assertThat(lease(10)).isEmpty();
    backend.complete(List.of(again), clock.instant());
    assertThat(lease(10)).extracting(LeasedJob::id).containsExactly(second);
  }

  @Test
  void theOldestWaitingJobIsFoundWhateverItsPriority() {
    queue.enqueue(NewJob.of("t", "1").priority(5));
    clock.advance(Duration.ofSeconds(10));
    queue.enqueue(NewJob.of("t", "2").priority(-5));
    queue.enqueue(NewJob.of("t", "3"));
    clock.advance(Duration.ofSeconds(10));

    assertThat(queue.admin().counts(QUEUE).oldestWaiting()).isEqualTo(Duration.ofSeconds(20));
    lease(2); // the two urgent ones
    assertThat(queue.admin().counts(QUEUE).oldestWaiting()).isEqualTo(Duration.ofSeconds(20));
    lease(1);
    assertThat(queue.admin().counts(QUEUE).oldestWaiting()).isZero();
  }

  // ---- wake-ups ---------------------------------------------------------------------------------

  @Test
  void anEnqueueWakesSubscribersOncePerCallAndOnlyForDueJobs() throws Exception {
    AtomicInteger wakes = new AtomicInteger();
    try (AutoCloseable subscription = backend.subscribe(QUEUE, wakes::incrementAndGet)) {
      List<NewJob> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        batch.add(NewJob.of("t", "{}"));
      }
      queue.enqueueAll(batch);
      await().atMost(Duration.ofSeconds(5)).until(() -> wakes.get() == 1);

      queue.enqueue(NewJob.of("t", "{}").runAt(clock.instant().plusSeconds(60)));
      queue.enqueue(NewJob.of("t", "{}").queue("elsewhere"));
      queue.enqueue(NewJob.of("t", "{}"));
      // messages arrive in order: had the delayed job or the other queue woken us, this would be 3
      await().atMost(Duration.ofSeconds(5)).until(() -> wakes.get() >= 2);
      assertThat(wakes).hasValue(2);
    }
  }

  @Test
  void anIdleWorkerStartsAJobWithoutWaitingForItsPoll() {
    CountDownLatch ran = new CountDownLatch(1);
    try (Worker worker =
        queue
            .worker()
            .handler("t", job -> ran.countDown())
            .pollInterval(Duration.ofMinutes(1))
            .start()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> worker.held() == 0);
      queue.enqueue(NewJob.of("t", "{}"));

      await().atMost(Duration.ofSeconds(10)).until(() -> ran.getCount() == 0);
    }
  }

  // ---- finished ids -----------------------------------------------------------------------------

  @Test
  void aFinishedJobsIdStaysADuplicate() {
    UUID completed = UUID.randomUUID();
    queue.enqueue(NewJob.of("t", "{}").id(completed));
    backend.complete(lease(1), clock.instant());
    UUID discarded = UUID.randomUUID();
    queue.enqueue(NewJob.of("t", "{}").id(discarded).maxAttempts(1));
    LeasedJob dying = lease(1).getFirst();
    backend.deadLetter(dying, failure(dying), "x", clock.instant());
    queue.admin().discard(discarded);

    assertThat(queue.enqueue(NewJob.of("t", "{}").id(completed)))
        .isEqualTo(new EnqueueResult(completed, true));
    assertThat(queue.enqueue(NewJob.of("t", "{}").id(discarded)))
        .isEqualTo(new EnqueueResult(discarded, true));
    assertThat(lease(10)).isEmpty();
    long bucket = clock.millis() / Duration.ofDays(7).toMillis();
    assertThat(redis.sismember(prefix + ":{default}:done:" + bucket, completed.toString()))
        .isTrue();
    assertThat(redis.pttl(prefix + ":{default}:done:" + bucket))
        .as("a bucket of finished ids lives two retentions")
        .isBetween(Duration.ofDays(14).minusMinutes(1).toMillis(), Duration.ofDays(14).toMillis());
  }

  // ---- transactional completion ----------------------------------------------------------------

  @Test
  void aHandlerWhoseLeaseWasTakenOverCommitsNothing() throws Exception {
    String effects = effectsTable();
    UUID id = queue.enqueue(NewJob.of("t", "{}")).jobId();
    LeasedJob lost = lease(1).getFirst();
    clock.advance(LEASE.plusSeconds(1));
    LeasedJob holder = lease(1).getFirst();

    assertThat(backend.completeInTransaction(lost, insertInto(effects, id), clock.instant()))
        .isFalse();
    assertThat(backend.completeInTransaction(holder, insertInto(effects, id), clock.instant()))
        .isTrue();

    assertThat(rows(effects)).isEqualTo(1);
    assertThat(backend.job(id)).isEmpty();
  }

  @Test
  void workCommittedUnderALeaseLostMeanwhileIsNotDoneAgain() throws Exception {
    String effects = effectsTable();
    UUID id = queue.enqueue(NewJob.of("t", "{}")).jobId();
    LeasedJob slow = lease(1).getFirst();
    List<LeasedJob> takenOver = new ArrayList<>();

    boolean slowCommitted =
        backend.completeInTransaction(
            slow,
            handle -> {
              handle.execute("INSERT INTO " + effects + " VALUES (?)", id);
              // the worker stalls past its lease; another takes the job over before the commit
              clock.advance(LEASE.plusSeconds(1));
              takenOver.addAll(lease(1));
            },
            clock.instant());
    assertThat(slowCommitted).isTrue();
    assertThat(backend.job(id)).as("a stale lease cannot complete the job").isPresent();

    LeasedJob next = takenOver.getFirst();
    assertThat(next.attempt()).isEqualTo(2);
    AtomicBoolean ranAgain = new AtomicBoolean();
    assertThat(backend.completeInTransaction(next, h -> ranAgain.set(true), clock.instant()))
        .isTrue();

    assertThat(ranAgain).as("the work is done in effect already").isFalse();
    assertThat(rows(effects)).isEqualTo(1);
    assertThat(backend.job(id)).isEmpty();
  }

  @Test
  void processedIdsPastTheRetentionAreSwept() throws Exception {
    UUID old = queue.enqueue(NewJob.of("t", "{}")).jobId();
    backend.completeInTransaction(lease(1).getFirst(), h -> {}, clock.instant());
    clock.advance(Duration.ofDays(8));
    UUID recent = queue.enqueue(NewJob.of("t", "{}")).jobId();
    backend.completeInTransaction(lease(1).getFirst(), h -> {}, clock.instant());

    List<UUID> processed =
        db.withHandle(
            h ->
                h.createQuery("SELECT job_id FROM odim_queue_redis.processed_jobs")
                    .mapTo(UUID.class)
                    .list());
    assertThat(processed).contains(recent).doesNotContain(old);
  }

  @Test
  void aTransactionalHandlerWithoutADatabaseIsRefusedWithTheFix() {
    try (RedisBackend plain = RedisBackend.builder(client).keyPrefix(prefix + "_plain").build()) {
      JobQueue plainQueue = JobQueue.builder(plain).clock(clock).build();
      plainQueue.enqueue(NewJob.of("t", "{}"));
      LeasedJob job = plain.lease(QUEUE, 1, "w", LEASE, clock.instant()).getFirst();

      assertThatThrownBy(() -> plain.completeInTransaction(job, h -> {}, clock.instant()))
          .isInstanceOf(QueueException.class)
          .hasMessageContaining(".database(db)");
    }
  }

  // ---- dead letters -----------------------------------------------------------------------------

  @Test
  void deadLettersOfSeveralQueuesPageTogetherNewestFirst() {
    List<UUID> newestFirst = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String name = "q" + (i % 3);
      UUID id = queue.enqueue(NewJob.of(i < 6 ? "early" : "late", "{}").queue(name)).jobId();
      LeasedJob job = backend.lease(name, 1, "w", LEASE, clock.instant()).getFirst();
      backend.deadLetter(job, failure(job), "x", clock.instant());
      newestFirst.addFirst(id);
      clock.advance(Duration.ofSeconds(i % 2)); // some die in the same millisecond
    }

    List<UUID> paged = new ArrayList<>();
    DeadLetterQuery query = DeadLetterQuery.all().limit(2);
    for (DeadLetterPage page = backend.deadLetters(query); ; ) {
      page.items().forEach(job -> paged.add(job.id()));
      if (page.nextCursor() == null) {
        break;
      }
      page = backend.deadLetters(query.after(page.nextCursor()));
    }
    assertThat(new HashSet<>(paged)).hasSize(9).containsExactlyInAnyOrderElementsOf(newestFirst);
    List<JobInfo> all = backend.deadLetters(DeadLetterQuery.all()).items();
    assertThat(all).extracting(JobInfo::id).containsExactlyElementsOf(paged);
    assertThat(all).extracting(JobInfo::finishedAt).isSortedAccordingTo((a, b) -> b.compareTo(a));

    assertThat(backend.deadLetters(DeadLetterQuery.all().queue("q1")).items())
        .hasSize(3)
        .allMatch(job -> job.queue().equals("q1"));
    Instant fourth = all.get(5).finishedAt();
    assertThat(backend.deadLetters(DeadLetterQuery.all().diedBetween(fourth, null)).items())
        .allMatch(job -> !job.finishedAt().isBefore(fourth))
        .hasSizeGreaterThanOrEqualTo(6);
    assertThat(backend.deadLetters(DeadLetterQuery.all().type("late").queue("q2")).items())
        .hasSize(1);
    assertThatThrownBy(() -> backend.deadLetters(DeadLetterQuery.all().after("not-a-cursor")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- operations -------------------------------------------------------------------------------

  @Test
  void scriptsAreLoadedAgainWhenRedisHasForgottenThem() {
    redis.scriptFlush();

    queue.enqueue(NewJob.of("t", "{}"));

    assertThat(lease(1)).hasSize(1);
  }

  @Test
  void everySettingIsValidatedAndNamed() {
    assertSetting("keyPrefix", b -> b.keyPrefix("odim:{queue}"));
    assertSetting("keyPrefix", b -> b.keyPrefix(""));
    assertSetting("schema", b -> b.schema("Odim"));
    assertSetting("finishedJobRetention", b -> b.finishedJobRetention(Duration.ofSeconds(59)));
    assertSetting("finishedJobRetention", b -> b.finishedJobRetention(Duration.ofDays(366)));
    assertSetting("commandTimeout", b -> b.commandTimeout(Duration.ofMillis(9)));
    assertThatThrownBy(() -> RedisBackend.builder("http://localhost:6379").build())
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("redisUri"));
  }

  @Test
  void anUnreachableRedisFailsTheBuildClearly() {
    assertThatThrownBy(() -> RedisBackend.builder("redis://127.0.0.1:1/0").build().close())
        .isInstanceOf(QueueException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static void assertSetting(String setting, Consumer<RedisBackendBuilder> change) {
    RedisBackendBuilder builder = RedisBackend.builder(redisUri);
    change.accept(builder);
    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo(setting));
  }

  private List<LeasedJob> lease(int max) {
    return backend.lease(QUEUE, max, "w", LEASE, clock.instant());
  }

  private Attempt failure(LeasedJob job) {
    return new Attempt(
        job.attempt(), job.startedAt(), clock.instant(), "w", "java.io.IOException", "down", null);
  }

  private long keysMatching(String pattern) {
    ScanIterator<String> keys =
        ScanIterator.scan(redis, ScanArgs.Builder.matches(prefix + ":{default}" + pattern));
    long count = 0;
    while (keys.hasNext()) {
      keys.next();
      count++;
    }
    return count;
  }

  private String effectsTable() {
    String table = "effects_" + PREFIXES.incrementAndGet();
    db.useTransaction(h -> h.execute("CREATE TABLE " + table + " (job_id uuid PRIMARY KEY)"));
    return table;
  }

  private static org.jdbi.v3.core.HandleConsumer<Exception> insertInto(String table, UUID id) {
    return handle -> handle.execute("INSERT INTO " + table + " VALUES (?)", id);
  }

  private static long rows(String table) {
    return db.withHandle(
        h -> h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one());
  }
}
