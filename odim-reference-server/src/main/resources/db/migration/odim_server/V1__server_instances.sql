-- Every server process that ran against this database: when it started and, if it shut down
-- gracefully, when it stopped. A row with no stopped_at and an old started_at is a process that
-- died without draining, which is worth knowing when reading an incident timeline.
CREATE TABLE server_instances (
  id         uuid        NOT NULL,
  host       text        NOT NULL,
  pid        bigint      NOT NULL,
  version    text        NOT NULL,
  started_at timestamptz NOT NULL,
  stopped_at timestamptz,
  CONSTRAINT server_instances_pkey PRIMARY KEY (id),
  CONSTRAINT server_instances_stop_after_start CHECK (stopped_at IS NULL OR stopped_at >= started_at)
);
