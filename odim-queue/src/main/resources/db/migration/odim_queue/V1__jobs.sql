-- The PostgreSQL backend's tables. A live job is one row of jobs from enqueue until it succeeds
-- (the row is deleted) or dies (the row moves to dead_letters in the same statement), so a job is
-- in exactly one place at any time and the jobs table holds only unfinished work.

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  -- Enqueue order: ties between equally due jobs, and the order of jobs sharing an ordering key.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  queue text NOT NULL,
  type text NOT NULL,
  -- json, not jsonb: the handler receives the payload byte for byte as it was enqueued.
  payload json NOT NULL,
  priority integer NOT NULL,
  -- When the job is due. A leased job's run_at is its lease expiry, so that one condition
  -- (run_at <= now) finds both waiting jobs and jobs whose worker died.
  run_at timestamptz NOT NULL,
  -- Attempts started, counting one that is running.
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  backoff text NOT NULL,
  timeout_ms bigint,
  dedup_key text,
  ordering_key text,
  lease_token uuid,
  lease_worker text,
  leased_at timestamptz,
  created_at timestamptz NOT NULL,
  -- The failed attempts, oldest first: [{number, startedAt, failedAt, worker, errorClass, ...}].
  history jsonb NOT NULL DEFAULT '[]',
  CONSTRAINT jobs_attempts_within_limit CHECK (attempts >= 0 AND attempts <= max_attempts),
  CONSTRAINT jobs_max_attempts_range CHECK (max_attempts BETWEEN 1 AND 1000),
  CONSTRAINT jobs_priority_range CHECK (priority BETWEEN -1000 AND 1000),
  CONSTRAINT jobs_lease_all_or_nothing CHECK (
    (lease_token IS NULL) = (lease_worker IS NULL) AND (lease_token IS NULL) = (leased_at IS NULL)),
  CONSTRAINT jobs_history_is_array CHECK (jsonb_typeof(history) = 'array')
);

-- One unfinished job per de-duplication key and queue; enqueue's ON CONFLICT relies on it.
CREATE UNIQUE INDEX jobs_one_live_job_per_dedup_key ON jobs (queue, dedup_key)
  WHERE dedup_key IS NOT NULL;

-- The fetch: per queue and priority, the due jobs oldest first. lease() walks the priorities present
-- and reads each one's range up to now, so jobs scheduled for later are never scanned.
CREATE INDEX jobs_fetch_order ON jobs (queue, priority, run_at, seq);

-- The head of each ordering key: is there an earlier unfinished job with the same key?
CREATE INDEX jobs_ordering_key_order ON jobs (queue, ordering_key, seq)
  WHERE ordering_key IS NOT NULL;

-- Every job is inserted, updated at least once (its lease) and deleted: the table turns over its
-- whole content all the time while staying small. With the default scale factor (20% of the rows)
-- a table of a million waiting jobs would gather 200,000 dead row versions before a vacuum, which
-- every fetch then steps over; 1% plus a small fixed threshold keeps dead tuples a small fraction,
-- and frequent statistics keep the planner on the fetch index as the table grows and shrinks.
ALTER TABLE jobs SET (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0.01,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_analyze_threshold = 1000
);

-- Jobs that exhausted their attempts or failed permanently, kept with their history until replayed
-- (moved back to jobs), discarded or purged by the retention policy.
CREATE TABLE dead_letters (
  id uuid PRIMARY KEY,
  queue text NOT NULL,
  type text NOT NULL,
  payload json NOT NULL,
  priority integer NOT NULL,
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL,
  max_attempts integer NOT NULL,
  backoff text NOT NULL,
  timeout_ms bigint,
  dedup_key text,
  ordering_key text,
  created_at timestamptz NOT NULL,
  history jsonb NOT NULL,
  reason text NOT NULL,
  died_at timestamptz NOT NULL,
  CONSTRAINT dead_letters_history_is_array CHECK (jsonb_typeof(history) = 'array')
);

-- Listing newest first, with a keyset cursor on (died_at, id), overall, by queue and by type; the
-- first also serves the retention purge (died_at < cutoff).
CREATE INDEX dead_letters_newest_first ON dead_letters (died_at, id);
CREATE INDEX dead_letters_by_queue ON dead_letters (queue, died_at, id);
CREATE INDEX dead_letters_by_type ON dead_letters (type, died_at, id);

-- The slot each recurring schedule fired last: a conditional upsert of this row is what lets one
-- instance out of many fire a slot.
CREATE TABLE schedules (
  name text PRIMARY KEY,
  last_slot timestamptz NOT NULL
);
