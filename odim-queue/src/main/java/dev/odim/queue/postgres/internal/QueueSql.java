package dev.odim.queue.postgres.internal;

/**
 * Every statement of the backend, qualified with its schema, in Jdbi's named-parameter form. They
 * are kept here, and not next to their callers, so that a test can run {@code EXPLAIN} on the ones
 * that run per job.
 *
 * <p>Instants travel as ISO-8601 text cast to {@code timestamptz}: exact to the microsecond and
 * free of the driver's time-zone conversions. Multi-row writes pass one array per column and expand
 * it with {@code unnest}, so a batch of any size is one statement.
 *
 * <p>The worker's bookkeeping (lease, heartbeat, completion, retry, dead letter, release) commits
 * without waiting for the WAL flush: each statement sets {@code synchronous_commit} off for its own
 * transaction ({@link #ASYNC_COMMIT}). On a durable server the flush cost a disk write per
 * statement and halved the throughput of no-op jobs (2,400 jobs/s with it on the development
 * machine). A database crash can forget the last moments of these moves (up to three times {@code
 * wal_writer_delay}), and each forgotten move only makes a job run again: the job itself was
 * written by a synchronous enqueue and is never lost, and a transactional handler's completion,
 * which commits the handler's own writes, stays synchronous. That is the at-least-once a plain
 * handler has anyway.
 *
 * <p>The worker's statements cannot deadlock one another: fetches and heartbeats never wait for a
 * lock (they skip locked jobs), and every other write touches only jobs its own worker holds, one
 * move per job at a time. The heartbeat is the one multi-row write whose rows another write (the
 * worker's batch of completions) may hold at the same moment; a job it skips is still held, whoever
 * locks it: it is being completed, retried or released by its worker, or taken over, which the next
 * heartbeat reports.
 */
public final class QueueSql {
  private static final String DEAD_LETTER_COLUMNS =
      "id, queue, type, payload, priority, run_at, attempts, max_attempts, backoff, timeout_ms,"
          + " dedup_key, ordering_key, created_at, history, reason, died_at";

  /**
   * An id is live or dead, never both, except after one race: a producer re-enqueues a dead job's
   * id at the instant another copy of it dies. The newest death then replaces the older one,
   * because failing the move would fail the statement every time: a lease would stay stuck behind
   * the dying job, and a dead-letter call would leave it running again and again.
   */
  private static final String ON_DEAD_LETTER_CONFLICT =
      """
      ON CONFLICT (id) DO UPDATE SET (queue, type, payload, priority, run_at, attempts,
        max_attempts, backoff, timeout_ms, dedup_key, ordering_key, created_at, history, reason,
        died_at)
      = ROW(excluded.queue, excluded.type, excluded.payload, excluded.priority, excluded.run_at,
        excluded.attempts, excluded.max_attempts, excluded.backoff, excluded.timeout_ms,
        excluded.dedup_key, excluded.ordering_key, excluded.created_at, excluded.history,
        excluded.reason, excluded.died_at)\
      """;

  /**
   * The attempt an expired lease cost, as the history stores attempts ({@code AttemptHistory}); the
   * job row is {@code j}. {@code to_jsonb} writes a timestamptz in ISO-8601 with an offset.
   */
  private static final String LOST_ATTEMPT =
      """
      jsonb_build_array(jsonb_build_object(
        'number', j.attempts, 'startedAt', to_jsonb(j.leased_at),
        'failedAt', to_jsonb(:now::timestamptz), 'worker', j.lease_worker,
        'errorClass', 'LeaseExpired',
        'message', 'the lease expired: its worker stopped heartbeating (killed, hung or cut off)'))\
      """;

  /**
   * A CTE that turns off {@code synchronous_commit} for the current transaction only (as SET LOCAL
   * would, in the implicit transaction of a single statement). The statement must read it, or it is
   * not run.
   */
  private static final String ASYNC_COMMIT =
      "async_commit AS (SELECT set_config('synchronous_commit', 'off', true) AS setting)";

  final String enqueue;
  final String existingJobs;
  final String lease;
  final String complete;
  final String completeOne;
  final String retry;
  final String deadLetter;
  final String release;
  final String heartbeat;
  final String counts;
  final String queues;
  final String job;
  final String replay;
  final String discard;
  final String purgeDeadLetters;
  final String fireSchedule;
  final String lastFired;

  /** The start of the dead-letter listing; {@link DeadLetters} adds the filters it was given. */
  final String deadLetterListing;

  public QueueSql(String schema) {
    this.enqueue =
        inSchema(
            schema,
            """
            -- Positional parameters, bound by Enqueuer over plain JDBC: 1 now; 2 to 12 the
            -- arrays, in the order of unnest's columns; 13 the channel; 14 now again.
            WITH inserted AS (
              INSERT INTO {s}jobs (id, queue, type, payload, priority, run_at, max_attempts, backoff,
                timeout_ms, dedup_key, ordering_key, created_at)
              SELECT n.id, n.queue, n.type, n.payload::json, n.priority, n.run_at, n.max_attempts,
                n.backoff, n.timeout_ms, n.dedup_key, n.ordering_key, ?::timestamptz
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::timestamptz[],
                  ?::int[], ?::text[], ?::bigint[], ?::text[], ?::text[])
                WITH ORDINALITY AS n (id, queue, type, payload, priority, run_at, max_attempts,
                  backoff, timeout_ms, dedup_key, ordering_key, position)
              WHERE NOT EXISTS (SELECT 1 FROM {s}dead_letters d WHERE d.id = n.id)
              ORDER BY n.position
              ON CONFLICT DO NOTHING
              RETURNING id, queue, run_at
            ),
            -- One notification per queue and statement, not per job; PostgreSQL delivers it when
            -- the transaction commits, so a worker never wakes for a job it cannot see yet.
            woken AS (
              SELECT pg_notify(?, queue) FROM inserted
              WHERE run_at <= ?::timestamptz GROUP BY queue
            )
            SELECT id FROM inserted WHERE (SELECT count(*) FROM woken) >= 0
            """);
    this.existingJobs =
        inSchema(
            schema,
            """
            SELECT position, existing FROM (
              SELECT n.position, coalesce(
                  (SELECT j.id FROM {s}jobs j WHERE j.id = n.id),
                  (SELECT d.id FROM {s}dead_letters d WHERE d.id = n.id),
                  (SELECT j.id FROM {s}jobs j
                    WHERE j.queue = n.queue AND j.dedup_key = n.dedup_key)) AS existing
              FROM unnest(:ids::uuid[], :queues::text[], :dedupKeys::text[])
                WITH ORDINALITY AS n (id, queue, dedup_key, position)
            ) found
            WHERE existing IS NOT NULL
            """);
    this.lease =
        inSchema(
            schema,
            """
            -- The queue, now and max reach the planner only inside one-row subqueries, so that a
            -- custom plan costs the same as the cached generic plan, which PostgreSQL therefore
            -- keeps. Given the values, it priced the generic plan's LIMIT at a tenth of the table
            -- and planned every lease anew, which cost about as much as running it.
            WITH RECURSIVE %4$s,
            priorities (priority) AS (
              -- The priorities present in the queue, by a walk of the fetch index (one descent
              -- each): each is then read as a range ending at now, so the jobs scheduled for later
              -- (retries backing off, run-at in the future, running jobs) are never scanned.
              (SELECT priority FROM {s}jobs WHERE queue = (SELECT :queue)
                ORDER BY priority LIMIT 1)
              UNION ALL
              SELECT (SELECT j.priority FROM {s}jobs j WHERE j.queue = (SELECT :queue)
                  AND j.priority > p.priority ORDER BY j.priority LIMIT 1)
              FROM priorities p WHERE p.priority IS NOT NULL
            ),
            picked AS (
              SELECT c.* FROM priorities p CROSS JOIN LATERAL (
                SELECT j.id, j.priority, j.run_at, j.seq, j.attempts, j.max_attempts
                FROM {s}jobs j
                WHERE j.queue = (SELECT :queue) AND j.priority = p.priority
                  AND j.run_at <= (SELECT :now::timestamptz)
                  AND (j.ordering_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM {s}jobs e
                    WHERE e.queue = j.queue AND e.ordering_key = j.ordering_key AND e.seq < j.seq))
                ORDER BY j.run_at, j.seq
                LIMIT (SELECT :max::int)
                FOR UPDATE OF j SKIP LOCKED
              ) c
              ORDER BY c.priority, c.run_at, c.seq
              LIMIT (SELECT :max::int)
            ),
            -- "= ANY(ARRAY(...))" rather than a join with picked: PostgreSQL then reads the rows by
            -- primary key even in the cached generic plan, which cannot know that picked holds at
            -- most max rows and would otherwise hash-join against a scan of the whole table.
            exhausted AS (
              DELETE FROM {s}jobs j
              WHERE j.id = ANY(ARRAY(SELECT id FROM picked WHERE attempts >= max_attempts))
              RETURNING j.*
            ),
            buried AS (
              INSERT INTO {s}dead_letters (%1$s)
              SELECT id, queue, type, payload, priority, run_at, attempts, max_attempts, backoff,
                timeout_ms, dedup_key, ordering_key, created_at,
                CASE WHEN lease_token IS NULL THEN history ELSE history || %3$s END,
                CASE WHEN lease_token IS NULL THEN 'attempts exhausted (' || attempts || ')'
                  ELSE 'lease expired on the last attempt (worker lost)' END,
                :now::timestamptz
              FROM exhausted j
              %2$s
            ),
            leased AS (
              UPDATE {s}jobs j SET attempts = j.attempts + 1, lease_token = gen_random_uuid(),
                lease_worker = :worker, leased_at = :now::timestamptz, run_at = :until::timestamptz,
                history = CASE WHEN j.lease_token IS NULL THEN j.history
                  ELSE j.history || %3$s END
              WHERE j.id = ANY(ARRAY(SELECT id FROM picked WHERE attempts < max_attempts))
              RETURNING j.id, j.queue, j.type, j.payload, j.attempts, j.max_attempts, j.backoff,
                j.timeout_ms, j.ordering_key, j.created_at, j.lease_token, j.lease_worker,
                j.leased_at
            )
            SELECT leased.* FROM leased JOIN picked USING (id), async_commit
            ORDER BY picked.priority, picked.run_at, picked.seq
            """
                .formatted(
                    DEAD_LETTER_COLUMNS, ON_DEAD_LETTER_CONFLICT, LOST_ATTEMPT, ASYNC_COMMIT));
    this.complete =
        inSchema(
            schema,
            """
            WITH %s
            DELETE FROM {s}jobs j
            USING unnest(:ids::uuid[], :tokens::uuid[]) AS c (id, token), async_commit
            WHERE j.id = c.id AND j.lease_token = c.token
            """
                .formatted(ASYNC_COMMIT));
    this.completeOne =
        inSchema(schema, "DELETE FROM {s}jobs WHERE id = :id AND lease_token = :token");
    this.retry =
        inSchema(
            schema,
            """
            WITH %s
            UPDATE {s}jobs SET run_at = :runAt::timestamptz, lease_token = NULL,
              lease_worker = NULL, leased_at = NULL, history = history || :attempt::jsonb
            FROM async_commit
            WHERE id = :id AND lease_token = :token
            """
                .formatted(ASYNC_COMMIT));
    this.deadLetter =
        inSchema(
            schema,
            """
            WITH %3$s,
            moved AS (
              DELETE FROM {s}jobs WHERE id = :id AND lease_token = :token RETURNING *
            )
            INSERT INTO {s}dead_letters (%1$s)
            SELECT id, queue, type, payload, priority, run_at, attempts, max_attempts, backoff,
              timeout_ms, dedup_key, ordering_key, created_at, history || :attempt::jsonb,
              :reason, :now::timestamptz
            FROM moved, async_commit
            %2$s
            """
                .formatted(DEAD_LETTER_COLUMNS, ON_DEAD_LETTER_CONFLICT, ASYNC_COMMIT));
    this.release =
        inSchema(
            schema,
            """
            WITH %s,
            released AS (
              UPDATE {s}jobs j SET run_at = :now::timestamptz, attempts = j.attempts - 1,
                lease_token = NULL, lease_worker = NULL, leased_at = NULL
              FROM unnest(:ids::uuid[], :tokens::uuid[]) AS c (id, token), async_commit
              WHERE j.id = c.id AND j.lease_token = c.token
              RETURNING j.queue
            )
            SELECT pg_notify(:channel, queue) FROM released GROUP BY queue
            """
                .formatted(ASYNC_COMMIT));
    this.heartbeat =
        inSchema(
            schema,
            """
            WITH %s,
            held AS (
              SELECT j.id FROM {s}jobs j
              JOIN unnest(:ids::uuid[], :tokens::uuid[]) AS c (id, token)
                ON j.id = c.id AND j.lease_token = c.token
              FOR UPDATE OF j SKIP LOCKED
            ),
            extended AS (
              UPDATE {s}jobs j SET run_at = :until::timestamptz FROM held, async_commit
              WHERE j.id = held.id
            )
            SELECT c.id FROM unnest(:ids::uuid[], :tokens::uuid[]) AS c (id, token)
            WHERE NOT EXISTS (SELECT 1 FROM {s}jobs j WHERE j.id = c.id AND j.lease_token = c.token)
            """
                .formatted(ASYNC_COMMIT));
    this.counts =
        inSchema(
            schema,
            """
            SELECT
              count(*) FILTER (WHERE run_at <= :now::timestamptz) AS waiting,
              count(*) FILTER (WHERE run_at > :now::timestamptz AND lease_token IS NULL)
                AS scheduled,
              count(*) FILTER (WHERE run_at > :now::timestamptz AND lease_token IS NOT NULL)
                AS running,
              min(run_at) FILTER (WHERE run_at <= :now::timestamptz) AS oldest_due,
              (SELECT count(*) FROM {s}dead_letters WHERE queue = :queue) AS dead
            FROM {s}jobs WHERE queue = :queue
            """);
    this.queues =
        inSchema(
            schema,
            """
            WITH RECURSIVE live (queue) AS (
              (SELECT queue FROM {s}jobs ORDER BY queue LIMIT 1)
              UNION ALL
              SELECT (SELECT j.queue FROM {s}jobs j WHERE j.queue > l.queue
                  ORDER BY j.queue LIMIT 1)
              FROM live l WHERE l.queue IS NOT NULL
            ),
            dead (queue) AS (
              (SELECT queue FROM {s}dead_letters ORDER BY queue LIMIT 1)
              UNION ALL
              SELECT (SELECT d.queue FROM {s}dead_letters d WHERE d.queue > l.queue
                  ORDER BY d.queue LIMIT 1)
              FROM dead l WHERE l.queue IS NOT NULL
            )
            SELECT queue FROM live WHERE queue IS NOT NULL
            UNION
            SELECT queue FROM dead WHERE queue IS NOT NULL
            ORDER BY queue
            """);
    this.job =
        inSchema(
            schema,
            """
            SELECT id, queue, type, payload, priority, run_at, attempts, max_attempts, dedup_key,
              ordering_key, created_at, history, lease_token IS NOT NULL AS leased,
              NULL AS reason, NULL::timestamptz AS died_at
            FROM {s}jobs WHERE id = :id
            UNION ALL
            SELECT id, queue, type, payload, priority, run_at, attempts, max_attempts, dedup_key,
              ordering_key, created_at, history, false, reason, died_at
            FROM {s}dead_letters WHERE id = :id
            """);
    this.deadLetterListing =
        inSchema(
            schema,
            """
            SELECT id, queue, type, payload, priority, run_at, attempts, max_attempts, dedup_key,
              ordering_key, created_at, history, false AS leased, reason, died_at
            FROM {s}dead_letters WHERE true
            """);
    this.replay =
        inSchema(
            schema,
            """
            WITH moved AS (
              DELETE FROM {s}dead_letters d
              WHERE d.id = ANY(:ids::uuid[])
                AND NOT EXISTS (SELECT 1 FROM {s}jobs j WHERE j.id = d.id)
                AND (d.dedup_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM {s}jobs j WHERE j.queue = d.queue AND j.dedup_key = d.dedup_key))
              RETURNING d.*
            ),
            replayed AS (
              INSERT INTO {s}jobs (id, queue, type, payload, priority, run_at, attempts,
                max_attempts, backoff, timeout_ms, dedup_key, ordering_key, created_at, history)
              SELECT id, queue, type, payload, priority, :now::timestamptz, 0, max_attempts,
                backoff, timeout_ms, dedup_key, ordering_key, created_at, history
              FROM moved ORDER BY died_at, id
              RETURNING id, queue
            ),
            woken AS (SELECT pg_notify(:channel, queue) FROM replayed GROUP BY queue)
            SELECT id FROM replayed WHERE (SELECT count(*) FROM woken) >= 0
            """);
    this.discard = inSchema(schema, "DELETE FROM {s}dead_letters WHERE id = ANY(:ids::uuid[])");
    this.purgeDeadLetters =
        inSchema(schema, "DELETE FROM {s}dead_letters WHERE died_at < :before::timestamptz");
    this.fireSchedule =
        inSchema(
            schema,
            """
            INSERT INTO {s}schedules AS s (name, last_slot) VALUES (:name, :slot::timestamptz)
            ON CONFLICT (name) DO UPDATE SET last_slot = excluded.last_slot
              WHERE s.last_slot < excluded.last_slot
            RETURNING name
            """);
    this.lastFired = inSchema(schema, "SELECT last_slot FROM {s}schedules WHERE name = :name");
  }

  private static String inSchema(String schema, String statement) {
    return statement.replace("{s}", schema + ".");
  }
}
