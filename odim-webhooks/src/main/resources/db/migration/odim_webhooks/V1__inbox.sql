-- The inbox: every verified delivery, once per (provider, event key). A delivery is acknowledged
-- (HTTP 200) only after its row, and the job that processes it, have committed.

CREATE TABLE inbox (
  id uuid PRIMARY KEY,
  provider text NOT NULL,
  -- What makes two deliveries the same event (the provider's event id, or for Paystack the event
  -- name with the data's id or reference): re-deliveries are recorded as duplicates, not stored.
  event_key text NOT NULL,
  -- Null when the body could not be read as the provider's event.
  event_type text,
  ordering_key text,
  -- received: waiting for (or in) processing; processed: a handler committed its work;
  -- ignored: no handler for the event type; dead: processing gave up (see the queue's dead
  -- letters, job id = this id).
  status text NOT NULL CHECK (status IN ('received', 'processed', 'ignored', 'dead')),
  headers jsonb NOT NULL,
  -- The raw bytes, as signed: a replay verifies and parses exactly what arrived.
  body bytea NOT NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  duplicates integer NOT NULL DEFAULT 0,
  last_duplicate_at timestamptz,
  CONSTRAINT inbox_event_once UNIQUE (provider, event_key)
);

-- The admin's list (by status, newest first) and the backlog gauge.
CREATE INDEX inbox_by_status ON inbox (status, received_at DESC, id DESC);
