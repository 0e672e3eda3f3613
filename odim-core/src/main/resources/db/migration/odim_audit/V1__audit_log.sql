-- The audit log: an append-only, hash-chained table of sensitive operations.
--
-- Each row carries seq (the gap-free position in the chain), prev_hash (the hash of row seq - 1,
-- 32 zero bytes for row 1) and hash = SHA-256(prev_hash || canonical encoding of the row), computed
-- by the library. Changing, removing or inserting a row therefore breaks the chain at that row,
-- which verifyChain() finds by recomputing every hash.
--
-- audit_chain_head is one row holding the last seq and hash. Appends lock it (SELECT ... FOR
-- UPDATE), which serializes them into one linear chain across threads, connections and
-- processes, and it lets verification notice rows removed from the end of the chain.

CREATE TABLE audit_chain_head (
  id boolean PRIMARY KEY DEFAULT true,
  last_seq bigint NOT NULL,
  last_hash bytea NOT NULL,
  CONSTRAINT audit_chain_head_single_row CHECK (id),
  CONSTRAINT audit_chain_head_seq_not_negative CHECK (last_seq >= 0),
  CONSTRAINT audit_chain_head_hash_is_sha256 CHECK (octet_length(last_hash) = 32)
);

INSERT INTO audit_chain_head (id, last_seq, last_hash)
VALUES (true, 0, decode(repeat('00', 32), 'hex'));

-- action is compared byte-wise (COLLATE "C") so that the action-prefix filter is an index range
-- scan whatever the database's collation.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  action text COLLATE "C" NOT NULL,
  actor text,
  actor_ip text,
  request_id text,
  target text,
  outcome text NOT NULL,
  summary text NOT NULL,
  details jsonb NOT NULL,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL,
  CONSTRAINT audit_log_seq_positive CHECK (seq >= 1),
  CONSTRAINT audit_log_action_is_dotted
    CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(action) <= 100),
  CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('success', 'failure', 'denied')),
  CONSTRAINT audit_log_details_is_object CHECK (jsonb_typeof(details) = 'object'),
  CONSTRAINT audit_log_prev_hash_is_sha256 CHECK (octet_length(prev_hash) = 32),
  CONSTRAINT audit_log_hash_is_sha256 CHECK (octet_length(hash) = 32)
);

-- The admin listing filters on one of these and pages by seq, newest first.
CREATE INDEX audit_log_by_action ON audit_log (action, seq);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq) WHERE actor IS NOT NULL;
CREATE INDEX audit_log_by_target ON audit_log (target, seq) WHERE target IS NOT NULL;
CREATE INDEX audit_log_by_outcome ON audit_log (outcome, seq);
CREATE INDEX audit_log_by_time ON audit_log (occurred_at, seq);

-- Append-only, enforced by the database: no UPDATE, DELETE or TRUNCATE of audit rows, whoever
-- sends them. (A superuser or the table owner can still disable the triggers; that is what the
-- hash chain is for.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log %.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'audit rows are never changed or removed; record a new event instead';
END;
$$;

CREATE TRIGGER audit_log_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The head only ever moves forward by one row.
CREATE FUNCTION audit_chain_head_advance_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'the audit chain head %.% only advances by one appended row: DELETE refused',
        TG_TABLE_SCHEMA, TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.last_seq <> OLD.last_seq + 1 THEN
    RAISE EXCEPTION 'the audit chain head %.% only advances by one appended row: seq % to % refused',
        TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.last_seq, NEW.last_seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_chain_head_advance_only
  BEFORE UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_advance_only();

CREATE TRIGGER audit_chain_head_no_truncate
  BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
