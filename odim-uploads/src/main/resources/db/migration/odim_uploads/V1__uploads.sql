-- Upload state: one row per tus upload. The bytes live in an UploadStore; this row is the truth
-- about how many of them are durable (upload_offset), so any instance can continue an upload.

CREATE TABLE uploads (
  id uuid PRIMARY KEY,
  -- The caller id the host's access hook gave the creator; only that caller may touch the upload.
  owner text NOT NULL,
  -- Advances only after the store reported the bytes below it durable (fsync, or committed parts).
  upload_offset bigint NOT NULL DEFAULT 0,
  -- Null while the length is deferred (creation-defer-length).
  upload_length bigint,
  -- Decoded metadata (key -> UTF-8 text) for the host, and the header as sent, for HEAD.
  metadata jsonb NOT NULL DEFAULT '{}',
  metadata_header text,
  -- uploading: accepting PATCH; finished: complete, the completion hook committed with this state.
  state text NOT NULL,
  -- single: an ordinary upload; partial / final: the concatenation extension.
  concat text NOT NULL DEFAULT 'single',
  parts uuid[],
  -- Sniffed from the first bytes on completion.
  media_type text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Null for finished uploads the host owns; unfinished (and partial) uploads expire.
  expires_at timestamptz,
  finished_at timestamptz,
  -- The writer's lease: who holds it, until when (database time), and whether another request
  -- asked the holder to let go (its heartbeat sees the flag and stops reading).
  lease_holder text,
  lease_until timestamptz,
  release_requested boolean NOT NULL DEFAULT false,
  CONSTRAINT uploads_state_known CHECK (state IN ('uploading', 'finished')),
  CONSTRAINT uploads_concat_known CHECK (concat IN ('single', 'partial', 'final')),
  CONSTRAINT uploads_offset_within_length
    CHECK (upload_offset >= 0 AND (upload_length IS NULL OR upload_offset <= upload_length)),
  CONSTRAINT uploads_finished_is_complete
    CHECK (state <> 'finished' OR upload_offset = upload_length)
);

-- Quota: the sum of an owner's upload lengths, on every creation.
CREATE INDEX uploads_by_owner ON uploads (owner);

-- Clean-up: uploads past their expiry.
CREATE INDEX uploads_by_expiry ON uploads (expires_at) WHERE expires_at IS NOT NULL;

-- The heartbeat: one UPDATE per instance several times a second, over the few leased rows only.
CREATE INDEX uploads_by_lease_holder ON uploads (lease_holder) WHERE lease_holder IS NOT NULL;
