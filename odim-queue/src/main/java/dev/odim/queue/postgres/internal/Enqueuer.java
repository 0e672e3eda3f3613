package dev.odim.queue.postgres.internal;

import dev.odim.queue.EnqueueResult;
import dev.odim.queue.NewJob;
import dev.odim.queue.QueueException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Writes new jobs, each once. The insert skips a job whose id or (queue, de-duplication key) is
 * taken; a second statement then finds the job that took it. If that job finished in between, the
 * skipped job is tried again, so every answer was true when it was given.
 */
public final class Enqueuer {
  /** Rounds of insert and look-up; losing a round needs a conflicting job to finish meanwhile. */
  private static final int ROUNDS = 10;

  private final QueueSql sql;
  private final String channel;

  public Enqueuer(QueueSql sql, String channel) {
    this.sql = sql;
    this.channel = channel;
  }

  /** Runs on the caller's handle: inside its transaction, or in auto-commit. */
  public List<EnqueueResult> enqueue(Handle handle, List<NewJob> jobs, Instant now) {
    EnqueueResult[] results = new EnqueueResult[jobs.size()];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      Objects.requireNonNull(jobs.get(i).id(), "a job reaches the backend with an id");
      pending.add(i);
    }
    for (int round = 1; !pending.isEmpty(); round++) {
      if (round > ROUNDS) {
        throw new QueueException(
            "enqueue: " + pending.size() + " jobs kept conflicting with jobs that then finished");
      }
      Set<UUID> inserted = insert(handle, pending.stream().map(jobs::get).toList(), now);
      Set<UUID> claimed = new HashSet<>();
      List<Integer> skipped = new ArrayList<>();
      for (int i : pending) {
        UUID id = Objects.requireNonNull(jobs.get(i).id());
        if (inserted.contains(id) && claimed.add(id)) {
          results[i] = new EnqueueResult(id, false);
        } else {
          skipped.add(i); // its id or key was taken, possibly by an earlier job of this batch
        }
      }
      Map<Integer, UUID> holders = holders(handle, skipped.stream().map(jobs::get).toList());
      pending = new ArrayList<>();
      for (int k = 0; k < skipped.size(); k++) {
        UUID holder = holders.get(k + 1);
        if (holder != null) {
          results[skipped.get(k)] = new EnqueueResult(holder, true);
        } else {
          pending.add(skipped.get(k));
        }
      }
    }
    return List.of(results);
  }

  private Set<UUID> insert(Handle handle, List<NewJob> jobs, Instant now) {
    int n = jobs.size();
    UUID[] ids = new UUID[n];
    String[] queues = new String[n];
    String[] types = new String[n];
    String[] payloads = new String[n];
    Integer[] priorities = new Integer[n];
    String[] runAts = new String[n];
    Integer[] maxAttempts = new Integer[n];
    String[] backoffs = new String[n];
    Long[] timeouts = new Long[n];
    String[] dedupKeys = new String[n];
    String[] orderingKeys = new String[n];
    for (int i = 0; i < n; i++) {
      NewJob job = jobs.get(i);
      Instant runAt = job.runAt();
      Duration timeout = job.timeout();
      ids[i] = job.id();
      queues[i] = job.queue();
      types[i] = job.type();
      payloads[i] = job.payload();
      priorities[i] = job.priority();
      runAts[i] = JobRows.time(runAt == null ? now : runAt);
      maxAttempts[i] = job.maxAttempts();
      backoffs[i] = job.backoff().spec();
      timeouts[i] = timeout == null ? null : timeout.toMillis();
      dedupKeys[i] = job.deduplicationKey();
      orderingKeys[i] = job.orderingKey();
    }
    // Plain JDBC rather than Jdbi: this runs once per group-committed batch of webhooks, and
    // Jdbi's per-statement work (argument factories for each array, mapper look-up, a stream over
    // the results) cost about three times the JDBC work itself (JFR, ./odim bench webhooks).
    Connection connection = handle.getConnection();
    String nowText = JobRows.time(now);
    Set<UUID> inserted = new HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(sql.enqueue)) {
      statement.setString(1, nowText);
      statement.setArray(2, connection.createArrayOf("uuid", ids));
      statement.setArray(3, connection.createArrayOf("text", queues));
      statement.setArray(4, connection.createArrayOf("text", types));
      statement.setArray(5, connection.createArrayOf("text", payloads));
      statement.setArray(6, connection.createArrayOf("int4", priorities));
      statement.setArray(7, connection.createArrayOf("text", runAts));
      statement.setArray(8, connection.createArrayOf("int4", maxAttempts));
      statement.setArray(9, connection.createArrayOf("text", backoffs));
      statement.setArray(10, connection.createArrayOf("int8", timeouts));
      statement.setArray(11, connection.createArrayOf("text", dedupKeys));
      statement.setArray(12, connection.createArrayOf("text", orderingKeys));
      statement.setString(13, channel);
      statement.setString(14, nowText);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          inserted.add(rows.getObject(1, UUID.class));
        }
      }
    } catch (SQLException e) {
      // the cause keeps its SQL state, by which Db retries a serialization failure or deadlock
      throw new QueueException("enqueue of " + n + " jobs failed", e);
    }
    return inserted;
  }

  /** For each job, by its 1-based position, the id of the job that holds its id or key. */
  private Map<Integer, UUID> holders(Handle handle, List<NewJob> jobs) {
    Map<Integer, UUID> holders = new HashMap<>();
    if (jobs.isEmpty()) {
      return holders;
    }
    handle
        .createQuery(sql.existingJobs)
        .bind("ids", jobs.stream().map(NewJob::id).toArray(UUID[]::new))
        .bind("queues", jobs.stream().map(NewJob::queue).toArray(String[]::new))
        .bind("dedupKeys", jobs.stream().map(NewJob::deduplicationKey).toArray(String[]::new))
        .map(
            (row, context) ->
                Map.entry(row.getInt("position"), row.getObject("existing", UUID.class)))
        .forEach(entry -> holders.put(entry.getKey(), entry.getValue()));
    return holders;
  }
}
