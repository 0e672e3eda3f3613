package dev.odim.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.queue.redis.RedisBackend;
import dev.odim.queue.spi.LeasedJob;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.RedisExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox relay from PostgreSQL to Redis: a job enqueued in a business transaction reaches Redis
 * if and only if the transaction commits, and once however often the relay sends it. Each test has
 * an outbox schema and a key prefix of its own.
 */
@ExtendWith({PostgresExtension.class, RedisExtension.class})
class OutboxRelayTest {
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final Duration LEASE = Duration.ofSeconds(30);

  private static Db db;
  private static String redisUri;

  private SettableClock clock;
  private PostgresBackend outboxBackend;
  private RedisBackend redisBackend;
  private JobQueue outbox;
  private JobQueue redis;
  private final List<AutoCloseable> running = new ArrayList<>();

  @BeforeAll
  static void start(TestDatabase database, TestRedis testRedis) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(16).build();
    db.useTransaction(h -> h.execute("CREATE TABLE payments (id uuid PRIMARY KEY)"));
    redisUri = testRedis.uri();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @BeforeEach
  void open() {
    String namespace = "relay_" + NAMESPACES.incrementAndGet();
    clock = SettableClock.standard();
    outboxBackend = PostgresBackend.builder(db).schema(namespace).clock(clock).build();
    redisBackend = RedisBackend.builder(redisUri).keyPrefix(namespace).build();
    outbox = JobQueue.builder(outboxBackend).clock(clock).build();
    redis = JobQueue.builder(redisBackend).clock(clock).build();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : running.reversed()) {
      closeable.close();
    }
    redisBackend.close();
    outboxBackend.close();
  }

  @Test
  void aCommittedJobReachesRedisWithItsOptions() {
    OutboxRelay relay = started(OutboxRelay.builder(outbox, redis));
    UUID payment = UUID.randomUUID();

    UUID id =
        db.inTransaction(
            handle -> {
              handle.execute("INSERT INTO payments VALUES (?)", payment);
              return relay
                  .enqueue(
                      handle,
                      NewJob.of("send-receipt", "{\"payment\":\"" + payment + "\"}")
                          .queue("receipts")
                          .deduplicationKey("receipt:" + payment)
                          .priority(-3)
                          .maxAttempts(4)
                          .timeout(Duration.ofSeconds(9)))
                  .jobId();
            });

    await().atMost(Duration.ofSeconds(20)).until(() -> redisBackend.job(id).isPresent());
    JobInfo job = redisBackend.job(id).orElseThrow();
    assertThat(job.queue()).isEqualTo("receipts");
    assertThat(job.type()).isEqualTo("send-receipt");
    assertThat(job.payload()).isEqualTo("{\"payment\":\"" + payment + "\"}");
    assertThat(job.deduplicationKey()).isEqualTo("receipt:" + payment);
    assertThat(job.priority()).isEqualTo(-3);
    assertThat(job.maxAttempts()).isEqualTo(4);
    await().atMost(Duration.ofSeconds(10)).until(this::outboxIsEmpty);
  }

  @Test
  void aRolledBackJobNeverReachesRedis() {
    OutboxRelay relay = started(OutboxRelay.builder(outbox, redis));
    UUID rolledBack = UUID.randomUUID();

    assertThatThrownBy(
            () ->
                db.useTransaction(
                    handle -> {
                      relay.enqueue(handle, NewJob.of("t", "{}").id(rolledBack));
                      throw new IllegalStateException("the payment failed its checks");
                    }))
        .isInstanceOf(IllegalStateException.class);
    UUID committed = UUID.randomUUID();
    db.useTransaction(handle -> relay.enqueue(handle, NewJob.of("t", "{}").id(committed)));

    // the relay works in order of enqueue, so once the later job is through, so is all before it
    await().atMost(Duration.ofSeconds(20)).until(() -> redisBackend.job(committed).isPresent());
    await().atMost(Duration.ofSeconds(10)).until(this::outboxIsEmpty);
    assertThat(redisBackend.job(rolledBack)).isEmpty();
    assertThat(redis.admin().counts(NewJob.DEFAULT_QUEUE).waiting()).isEqualTo(1);
  }

  @Test
  void aJobSentAgainAfterARelayCrashRunsOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    running.add(redis.worker().handler("charge", job -> runs.incrementAndGet()).start());
    UUID id =
        db.inTransaction(
            handle ->
                OutboxRelay.builder(outbox, redis)
                    .build()
                    .enqueue(handle, NewJob.of("charge", "{}"))
                    .jobId());

    // a relay worker sends the job, then dies before the outbox hears of it
    LeasedJob relayJob =
        outboxBackend.lease("odim.relay", 1, "doomed", LEASE, clock.instant()).getFirst();
    OutboxRelay.forwardingTo(redis).handle(relayJob.context());
    await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> redisBackend.job(id).isEmpty());

    // its lease expires, and a live relay sends the job again
    clock.advance(LEASE.plusSeconds(1));
    started(OutboxRelay.builder(outbox, redis));
    await().atMost(Duration.ofSeconds(20)).until(this::outboxIsEmpty);

    assertThat(redis.enqueue(NewJob.of("charge", "{}").id(id)).duplicate())
        .as("Redis remembers the finished id")
        .isTrue();
    assertThat(runs).hasValue(1);
  }

  @Test
  void jobsOfOneOrderingKeyReachRedisInOrder() {
    OutboxRelay relay = started(OutboxRelay.builder(outbox, redis).concurrency(8));
    Map<String, List<Integer>> order = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    running.add(
        redis
            .worker()
            .handler(
                "event",
                job -> {
                  order
                      .computeIfAbsent(
                          job.orderingKey(), k -> Collections.synchronizedList(new ArrayList<>()))
                      .add(Integer.parseInt(job.payload()));
                  done.incrementAndGet();
                })
            .concurrency(8)
            .start());

    for (int i = 0; i < 15; i++) {
      int n = i;
      db.useTransaction(
          handle -> {
            relay.enqueue(handle, NewJob.of("event", Integer.toString(n)).orderingKey("pay:a"));
            relay.enqueue(handle, NewJob.of("event", Integer.toString(n)).orderingKey("pay:b"));
          });
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == 30);
    assertThat(order.get("pay:a")).hasSize(15).isSorted();
    assertThat(order.get("pay:b")).hasSize(15).isSorted();
  }

  @Test
  void anInvalidJobIsRefusedAndNothingIsWritten() {
    OutboxRelay relay = OutboxRelay.builder(outbox, redis).build();

    assertThatThrownBy(
            () ->
                db.useTransaction(
                    handle -> {
                      relay.enqueue(handle, NewJob.of("t", "{}"));
                      relay.enqueue(handle, NewJob.of("t", "{}").priority(5_000));
                    }))
        .isInstanceOfSatisfying(
            InvalidJobException.class, e -> assertThat(e.field()).isEqualTo("priority"));
    assertThat(outboxIsEmpty()).isTrue();
  }

  @Test
  void theOutboxMustBeTransactionalAndTheSettingsValid() {
    assertThatThrownBy(() -> OutboxRelay.builder(redis, outbox).build())
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("outbox"));
    assertThatThrownBy(() -> OutboxRelay.builder(outbox, redis).queue("no spaces").build())
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("queue"));
    assertThatThrownBy(() -> OutboxRelay.builder(outbox, redis).concurrency(0).build())
        .isInstanceOfSatisfying(
            OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("concurrency"));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private OutboxRelay started(OutboxRelayBuilder builder) {
    OutboxRelay relay = builder.pollInterval(Duration.ofMillis(20)).build().start();
    running.add(relay);
    return relay;
  }

  private boolean outboxIsEmpty() {
    QueueCounts counts = outbox.admin().counts("odim.relay");
    return counts.waiting() + counts.scheduled() + counts.running() + counts.dead() == 0;
  }
}
