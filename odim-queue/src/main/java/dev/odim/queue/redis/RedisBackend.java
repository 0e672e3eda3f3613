package dev.odim.queue.redis;

import dev.odim.queue.Attempt;
import dev.odim.queue.DeadLetterPage;
import dev.odim.queue.DeadLetterQuery;
import dev.odim.queue.EnqueueResult;
import dev.odim.queue.JobInfo;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueCounts;
import dev.odim.queue.QueueException;
import dev.odim.queue.redis.internal.DeadLetterSearch;
import dev.odim.queue.redis.internal.JobFields;
import dev.odim.queue.redis.internal.LuaScripts;
import dev.odim.queue.redis.internal.LuaScripts.Script;
import dev.odim.queue.redis.internal.QueueKeys;
import dev.odim.queue.redis.internal.TransactionalCompletion;
import dev.odim.queue.redis.internal.Wakeups;
import dev.odim.queue.spi.JobBackend;
import dev.odim.queue.spi.LeasedJob;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jdbi.v3.core.HandleConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The queue on Redis, through Lettuce: every state move (enqueue, lease, complete, retry,
 * dead-letter, release, heartbeat, replay...) is one Lua script, so it is atomic, and the hot moves
 * handle a batch of jobs per round trip over one shared, pipelined connection.
 *
 * <pre>{@code
 * JobBackend redis = RedisBackend.builder("redis://localhost:6379/0").database(db).build();
 * JobQueue queue = JobQueue.builder(redis).build();
 * }</pre>
 *
 * <p><b>Guarantees.</b> Jobs run at least once: a job whose worker dies is run again when its lease
 * expires, and every move of a leased job is conditional on its lease token, so a worker that lost
 * its lease cannot complete, retry or bury a job another worker now holds. A job's id is a
 * duplicate while the job lives, while it is dead, and for the finished-job retention after it
 * finished (default 7 days; see {@link RedisBackendBuilder#finishedJobRetention} for its memory
 * cost), so that an {@link dev.odim.queue.OutboxRelay} that sends a job again after a crash cannot
 * run it twice.
 *
 * <p><b>Exactly once in effect.</b> Redis cannot commit with the database, so a transactional
 * handler needs {@link RedisBackendBuilder#database}: its writes commit in one database transaction
 * together with a row for the job's id in {@code processed_jobs}; an attempt that finds the row
 * already there skips the work (an earlier attempt committed it but died before Redis heard), and
 * the job is completed in Redis after the commit.
 *
 * <p><b>Not transactional enqueue.</b> A business transaction must not write to Redis (DESIGN.md,
 * rule 2): enqueue into a PostgreSQL outbox and let an {@code OutboxRelay} forward the jobs here.
 *
 * <p><b>Operations.</b> It needs Redis 6.2 or newer. Redis must persist (AOF, {@code appendfsync
 * everysec} or stricter) for "nothing lost" to survive a Redis restart, and must not evict ({@code
 * maxmemory-policy noeviction}): an evicted job is a lost job. Every key of a queue carries the
 * hash tag {@code {queue}}, so a queue lives on one Redis Cluster slot; ids are therefore unique
 * per queue, and a batch that spans queues is written one queue at a time. Times are kept to the
 * millisecond. The backend is thread-safe; close it once.
 */
public final class RedisBackend implements JobBackend {
  /** How many dead jobs one purge script deletes, so that a large purge never blocks Redis long. */
  private static final int PURGE_BATCH = 1_000;

  /** The most leased jobs one complete, release or heartbeat script handles. */
  private static final int SCRIPT_BATCH = 1_000;

  private final String prefix;
  private final @Nullable RedisClient ownedClient;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisCommands<String, String> redis;
  private final LuaScripts scripts;
  private final Wakeups wakeups;
  private final @Nullable TransactionalCompletion transactional;
  private final Set<String> registeredQueues = ConcurrentHashMap.newKeySet();

  RedisBackend(
      String prefix,
      @Nullable RedisClient ownedClient,
      StatefulRedisConnection<String, String> connection,
      LuaScripts scripts,
      Wakeups wakeups,
      @Nullable TransactionalCompletion transactional) {
    this.prefix = prefix;
    this.ownedClient = ownedClient;
    this.connection = connection;
    this.redis = connection.sync();
    this.scripts = scripts;
    this.wakeups = wakeups;
    this.transactional = transactional;
  }

  /**
   * Starts configuring a backend that connects to {@code redisUri} ({@code redis://host:port/db},
   * or {@code rediss://} for TLS) with a Lettuce client of its own.
   */
  public static RedisBackendBuilder builder(String redisUri) {
    return new RedisBackendBuilder(redisUri, null);
  }

  /**
   * Starts configuring a backend on a Lettuce client the host already has (created with its URI,
   * {@code RedisClient.create(uri)}); the backend opens its own connections and leaves the client
   * running when it closes.
   */
  public static RedisBackendBuilder builder(RedisClient client) {
    return new RedisBackendBuilder(null, client);
  }

  @Override
  public String name() {
    return "redis";
  }

  // ---- enqueue --------------------------------------------------------------------------------

  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs, Instant now) {
    // Keys of two queues may live on two cluster slots, so each queue's jobs go in their own call.
    Map<String, List<Integer>> positionsByQueue = new LinkedHashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      positionsByQueue.computeIfAbsent(jobs.get(i).queue(), q -> new ArrayList<>()).add(i);
    }
    EnqueueResult[] results = new EnqueueResult[jobs.size()];
    positionsByQueue.forEach(
        (queue, positions) -> {
          List<String> args = new ArrayList<>(positions.size() * 10);
          positions.forEach(i -> args.addAll(JobFields.enqueueArgs(jobs.get(i), now)));
          List<Object> answers =
              scripts.run(Script.ENQUEUE, ScriptOutputType.MULTI, keys(queue), millis(now), args);
          for (int j = 0; j < positions.size(); j++) {
            results[positions.get(j)] =
                new EnqueueResult(
                    UUID.fromString((String) answers.get(2 * j)),
                    (Long) answers.get(2 * j + 1) == 1);
          }
        });
    return List.of(results);
  }

  // ---- the worker's moves ---------------------------------------------------------------------

  @Override
  public List<LeasedJob> lease(
      String queue, int max, String worker, Duration leaseFor, Instant now) {
    List<String> args = new ArrayList<>(max + 3);
    args.add(Integer.toString(max));
    args.add(worker);
    args.add(Long.toString(millis(now.plus(leaseFor))));
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < max; i++) {
      // a token proves ownership, it guards no secret: a fast random source is enough
      args.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    List<List<?>> rows =
        scripts.run(Script.LEASE, ScriptOutputType.MULTI, keys(queue), millis(now), args);
    return rows.stream().map(row -> JobFields.leased(row, queue, worker, now)).toList();
  }

  @Override
  public AutoCloseable subscribe(String queue, Runnable wake) {
    return wakeups.subscribe(keys(queue).wakeChannel(), wake);
  }

  @Override
  public void complete(List<LeasedJob> jobs, Instant now) {
    runOnLeases(Script.COMPLETE, jobs, now);
  }

  /**
   * Runs {@code work} exactly once in effect (see the class comment). Returns false, with nothing
   * run, when the lease is no longer held; returns true once the work is committed, even if the
   * lease was lost meanwhile: then the job's next holder finds the id recorded and only completes
   * it.
   *
   * @throws QueueException when no database was configured
   */
  @Override
  public boolean completeInTransaction(LeasedJob job, HandleConsumer<Exception> work, Instant now)
      throws Exception {
    if (transactional == null) {
      throw new QueueException(
          "a transactional handler on the Redis backend needs a database to commit its writes"
              + " with the job's id: configure RedisBackend.builder(...).database(db)");
    }
    if (!holds(job)) {
      return false;
    }
    transactional.runOnce(job.id(), work, now);
    complete(List.of(job), now);
    transactional.sweepIfDue(now);
    return true;
  }

  private boolean holds(LeasedJob job) {
    String record = command(() -> redis.hget(keys(job.queue()).leases(), job.id().toString()));
    // a lease record starts with its token
    return record != null && record.startsWith(job.leaseToken().toString());
  }

  @Override
  public void retry(LeasedJob job, Attempt failure, Instant runAt) {
    scripts.run(
        Script.RETRY,
        ScriptOutputType.INTEGER,
        keys(job.queue()),
        millis(failure.failedAt()),
        List.of(
            job.id().toString(),
            job.leaseToken().toString(),
            JobFields.attemptJson(failure),
            Long.toString(millis(runAt))));
  }

  @Override
  public void deadLetter(LeasedJob job, Attempt failure, String reason, Instant now) {
    scripts.run(
        Script.DEAD_LETTER,
        ScriptOutputType.INTEGER,
        keys(job.queue()),
        millis(now),
        List.of(
            job.id().toString(),
            job.leaseToken().toString(),
            JobFields.attemptJson(failure),
            reason));
  }

  @Override
  public void release(List<LeasedJob> jobs, Instant now) {
    runOnLeases(Script.RELEASE, jobs, now);
  }

  private void runOnLeases(Script script, List<LeasedJob> jobs, Instant now) {
    for (Map.Entry<String, List<LeasedJob>> slice : byQueue(jobs)) {
      scripts.run(
          script,
          ScriptOutputType.INTEGER,
          keys(slice.getKey()),
          millis(now),
          idsAndTokens(slice.getValue()));
    }
  }

  @Override
  public Set<UUID> heartbeat(List<LeasedJob> jobs, Instant leaseUntil) {
    Set<UUID> lost = new HashSet<>();
    for (Map.Entry<String, List<LeasedJob>> slice : byQueue(jobs)) {
      List<String> args = new ArrayList<>();
      args.add(Long.toString(millis(leaseUntil)));
      args.addAll(idsAndTokens(slice.getValue()));
      List<String> ids =
          scripts.run(Script.HEARTBEAT, ScriptOutputType.MULTI, keys(slice.getKey()), 0, args);
      ids.forEach(id -> lost.add(UUID.fromString(id)));
    }
    return lost;
  }

  // ---- schedules ------------------------------------------------------------------------------

  @Override
  public Optional<Instant> lastFired(String schedule) {
    Optional<Long> latest = Optional.empty();
    for (String queue : knownQueues()) {
      String slot = command(() -> redis.hget(keys(queue).schedules(), schedule));
      if (slot != null && (latest.isEmpty() || Long.parseLong(slot) > latest.get())) {
        latest = Optional.of(Long.parseLong(slot));
      }
    }
    return latest.map(Instant::ofEpochMilli);
  }

  @Override
  public boolean fireSchedule(String schedule, Instant slot, NewJob job, Instant now) {
    List<String> args = new ArrayList<>();
    args.add(schedule);
    args.add(Long.toString(millis(slot)));
    args.addAll(JobFields.enqueueArgs(job, now));
    Long fired =
        scripts.run(
            Script.FIRE_SCHEDULE, ScriptOutputType.INTEGER, keys(job.queue()), millis(now), args);
    return fired == 1;
  }

  // ---- admin ----------------------------------------------------------------------------------

  @Override
  public QueueCounts counts(String queue, Instant now) {
    List<Object> counts =
        scripts.run(Script.COUNTS, ScriptOutputType.MULTI, keys(queue), millis(now), List.of());
    long oldest = Long.parseLong((String) counts.get(4));
    Duration waited =
        oldest < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, millis(now) - oldest));
    return new QueueCounts(
        queue,
        (Long) counts.get(0),
        (Long) counts.get(1),
        (Long) counts.get(2),
        (Long) counts.get(3),
        waited);
  }

  @Override
  public List<String> queues() {
    return knownQueues().stream()
        .filter(queue -> command(() -> redis.exists(keys(queue).jobSets())) > 0)
        .sorted()
        .toList();
  }

  @Override
  public Optional<JobInfo> job(UUID id) {
    for (String queue : knownQueues()) {
      QueueKeys keys = keys(queue);
      Map<String, String> hash = command(() -> redis.hgetall(keys.job(id)));
      if (!hash.isEmpty()) {
        String attempts = command(() -> redis.hget(keys.attempts(), id.toString()));
        boolean leased = command(() -> redis.hexists(keys.leases(), id.toString()));
        return Optional.of(
            JobFields.info(
                id, queue, hash, attempts == null ? 0 : Integer.parseInt(attempts), leased));
      }
    }
    return Optional.empty();
  }

  @Override
  public DeadLetterPage deadLetters(DeadLetterQuery query) {
    List<String> queues = query.queue() == null ? knownQueues() : List.of(query.queue());
    List<String> args =
        List.of(
            DeadLetterSearch.upperBound(query),
            DeadLetterSearch.lowerBound(query),
            query.type() == null ? "" : query.type(),
            Integer.toString(query.limit() + 1));
    List<DeadLetterSearch.Found> found = new ArrayList<>();
    for (String queue : queues) {
      List<List<?>> rows =
          scripts.run(Script.DEAD_PAGE, ScriptOutputType.MULTI, keys(queue), 0, args);
      for (List<?> row : rows) {
        String member = (String) row.get(0);
        found.add(
            new DeadLetterSearch.Found(
                member,
                JobFields.info(
                    UUID.fromString(member.substring(16)),
                    queue,
                    pairs((List<?>) row.get(1)),
                    Integer.parseInt((String) row.get(2)),
                    false)));
      }
    }
    return DeadLetterSearch.page(found, query.limit());
  }

  @Override
  public List<UUID> replay(List<UUID> deadJobIds, Instant now) {
    List<UUID> replayed = new ArrayList<>();
    for (String queue : knownQueues()) {
      List<String> ids =
          scripts.run(
              Script.REPLAY, ScriptOutputType.MULTI, keys(queue), millis(now), strings(deadJobIds));
      ids.forEach(id -> replayed.add(UUID.fromString(id)));
    }
    return replayed;
  }

  @Override
  public int discard(List<UUID> deadJobIds) {
    long discarded = 0;
    for (String queue : knownQueues()) {
      Long count =
          scripts.run(
              Script.DISCARD, ScriptOutputType.INTEGER, keys(queue), 0, strings(deadJobIds));
      discarded += count;
    }
    return Math.toIntExact(discarded);
  }

  @Override
  public int purgeDeadLetters(Instant before) {
    List<String> args = List.of(DeadLetterSearch.prefix(before), Integer.toString(PURGE_BATCH));
    long purged = 0;
    for (String queue : knownQueues()) {
      long batch;
      do {
        Long deleted = scripts.run(Script.PURGE, ScriptOutputType.INTEGER, keys(queue), 0, args);
        batch = deleted;
        purged += batch;
      } while (batch == PURGE_BATCH);
    }
    return Math.toIntExact(purged);
  }

  @Override
  public void close() {
    wakeups.close();
    connection.close();
    if (ownedClient != null) {
      ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private QueueKeys keys(String queue) {
    register(queue);
    return QueueKeys.of(prefix, queue);
  }

  /**
   * Adds a queue to the set of queue names the admin reads, once per queue and backend. The set is
   * written before the queue's first job, so it never misses a queue that holds one.
   */
  private void register(String queue) {
    if (!registeredQueues.contains(queue)) {
      command(() -> redis.sadd(queuesKey(), queue));
      registeredQueues.add(queue);
    }
  }

  private List<String> knownQueues() {
    return command(() -> redis.smembers(queuesKey())).stream().sorted().toList();
  }

  private String queuesKey() {
    return prefix + ":queues";
  }

  /**
   * Groups leased jobs by queue (one script call per queue's slot) in slices of at most {@value
   * #SCRIPT_BATCH}, the most the scripts read with one command.
   */
  private static List<Map.Entry<String, List<LeasedJob>>> byQueue(List<LeasedJob> jobs) {
    Map<String, List<LeasedJob>> byQueue = new LinkedHashMap<>();
    jobs.forEach(job -> byQueue.computeIfAbsent(job.queue(), q -> new ArrayList<>()).add(job));
    List<Map.Entry<String, List<LeasedJob>>> slices = new ArrayList<>();
    byQueue.forEach(
        (queue, held) -> {
          for (int from = 0; from < held.size(); from += SCRIPT_BATCH) {
            slices.add(
                Map.entry(queue, held.subList(from, Math.min(held.size(), from + SCRIPT_BATCH))));
          }
        });
    return slices;
  }

  private static List<String> idsAndTokens(List<LeasedJob> jobs) {
    List<String> args = new ArrayList<>(jobs.size() * 2);
    for (LeasedJob job : jobs) {
      args.add(job.id().toString());
      args.add(job.leaseToken().toString());
    }
    return args;
  }

  private static List<String> strings(List<UUID> ids) {
    return ids.stream().map(UUID::toString).toList();
  }

  private static Map<String, String> pairs(List<?> flat) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return map;
  }

  private static long millis(Instant instant) {
    return instant.toEpochMilli();
  }

  private static <T> T command(Supplier<T> command) {
    try {
      return command.get();
    } catch (RedisException e) {
      throw new QueueException("Redis failed: " + e, e);
    }
  }
}
