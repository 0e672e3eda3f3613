-- The Redis backend's one table: the ids of jobs whose transactional handler committed. A handler's
-- writes and its job's row commit together, so an attempt that finds its job's row already here
-- knows the work is done and does not repeat it (exactly-once in effect, though Redis and the
-- database cannot commit together). Rows older than the finished-job retention are swept by
-- processed_at.

CREATE TABLE processed_jobs (
  job_id uuid PRIMARY KEY,
  processed_at timestamptz NOT NULL
);

CREATE INDEX processed_jobs_by_processed_at ON processed_jobs (processed_at);
