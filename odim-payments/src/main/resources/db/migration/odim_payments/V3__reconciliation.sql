-- Reconciliation: runs that match Paystack's records against ours, and the one table of
-- discrepancies that they and settle() raise for a person to resolve.

-- V1's payment_discrepancies (another amount or currency reported to settle()) becomes the table of
-- every disagreement: a payment, a payout or a creator's balance (subject), what we hold and what
-- the provider holds (expected/reported as short text, the evidence of both sides as JSON), what a
-- person should probably do, and a version for If-Match. A finding is raised once: the same
-- subject, reference, kind and reported value found again (hourly runs overlap) is not repeated.
ALTER TABLE payment_discrepancies RENAME TO discrepancies;
ALTER TABLE discrepancies DROP CONSTRAINT payment_discrepancies_reference_fkey;
ALTER TABLE discrepancies DROP CONSTRAINT payment_discrepancies_kind_check;
ALTER TABLE discrepancies DROP CONSTRAINT payment_discrepancies_status_check;
ALTER TABLE discrepancies DROP CONSTRAINT payment_discrepancies_reference_kind_reported_key;
ALTER TABLE discrepancies RENAME CONSTRAINT payment_discrepancies_pkey TO discrepancies_pkey;

ALTER TABLE discrepancies
    ADD COLUMN subject          text        NOT NULL DEFAULT 'payment',
    ADD COLUMN local_evidence   jsonb       NOT NULL DEFAULT '{}',
    ADD COLUMN provider_evidence jsonb      NOT NULL DEFAULT '{}',
    ADD COLUMN suggested_action text        NOT NULL DEFAULT 'investigate',
    ADD COLUMN run_id           uuid,
    ADD COLUMN version          integer     NOT NULL DEFAULT 1,
    ADD COLUMN updated_at       timestamptz,
    ADD COLUMN resolution       text,
    ADD COLUMN note             text        NOT NULL DEFAULT '',
    ADD COLUMN resolved_by      text,
    ADD COLUMN resolved_at      timestamptz;

UPDATE discrepancies SET updated_at = created_at,
    resolved_at = CASE WHEN status <> 'open' THEN created_at END,
    resolution = CASE status WHEN 'resolved' THEN 'marked_resolved' WHEN 'ignored' THEN 'ignored' END;
ALTER TABLE discrepancies ALTER COLUMN updated_at SET NOT NULL;

ALTER TABLE discrepancies
    ADD CONSTRAINT discrepancies_known_subject CHECK (subject IN ('payment', 'payout', 'balance')),
    ADD CONSTRAINT discrepancies_known_kind CHECK (kind IN ('missing_locally',
        'missing_at_provider', 'status_mismatch', 'amount_mismatch', 'currency_mismatch',
        'duplicate', 'ledger_drift')),
    ADD CONSTRAINT discrepancies_known_status CHECK (status IN ('open', 'resolved', 'ignored')),
    ADD CONSTRAINT discrepancies_known_action CHECK (suggested_action IN ('settle', 'refund',
        'investigate')),
    ADD CONSTRAINT discrepancies_known_resolution CHECK (resolution IN ('settled', 'refunded',
        'marked_resolved', 'ignored')),
    ADD CONSTRAINT discrepancies_resolved_when_closed CHECK (
        (status = 'open') = (resolved_at IS NULL) AND (status = 'open') = (resolution IS NULL)),
    ADD CONSTRAINT discrepancies_version_positive CHECK (version >= 1),
    ADD CONSTRAINT discrepancies_once_per_finding UNIQUE (subject, reference, kind, reported);

-- The admin list: newest first within a status, paged by (created_at, id).
CREATE INDEX discrepancies_by_status ON discrepancies (status, created_at DESC, id DESC);
CREATE INDEX discrepancies_by_time ON discrepancies (created_at DESC, id DESC);
-- The admin's look-up of one payment's (or payout's) discrepancies.
CREATE INDEX discrepancies_by_reference ON discrepancies (reference);

CREATE FUNCTION discrepancy_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version <> OLD.version + 1 THEN
    RAISE EXCEPTION 'discrepancy % changed without its version moving by one', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
      ('open', 'resolved'), ('open', 'ignored')) THEN
    RAISE EXCEPTION 'discrepancy % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER discrepancy_transition BEFORE UPDATE ON discrepancies
  FOR EACH ROW EXECUTE FUNCTION discrepancy_transition();

-- One reconciliation run. run_key makes a run happen once: the scheduled job's id for an hourly
-- slot (a retried job resumes its run), a fresh key for one started on demand. The lease keeps a
-- second instance off a run that is in progress; the page counters let a failed run resume where
-- it stopped instead of fetching the provider's pages again.
CREATE TABLE reconciliation_runs (
    id                    uuid        PRIMARY KEY,
    run_key               text        NOT NULL UNIQUE CHECK (length(run_key) BETWEEN 1 AND 200),
    trigger               text        NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    window_from           timestamptz NOT NULL,
    window_to             timestamptz NOT NULL,
    status                text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    phase                 text        NOT NULL CHECK (phase IN ('fetching', 'repairing', 'done')),
    attempts              integer     NOT NULL CHECK (attempts >= 1),
    transaction_pages     integer     NOT NULL DEFAULT 0,
    transfer_pages        integer     NOT NULL DEFAULT 0,
    transactions_done     boolean     NOT NULL DEFAULT false,
    transfers_done        boolean     NOT NULL DEFAULT false,
    counts                jsonb       NOT NULL DEFAULT '{}',
    repaired              integer     NOT NULL DEFAULT 0,
    error                 text        NOT NULL DEFAULT '',
    lease_until           timestamptz,
    started_at            timestamptz NOT NULL,
    finished_at           timestamptz,
    duration_ms           bigint,
    CONSTRAINT reconciliation_runs_window_forward CHECK (window_from < window_to),
    CONSTRAINT reconciliation_runs_finished_when_done CHECK (
        (status = 'running') = (finished_at IS NULL))
);

CREATE INDEX reconciliation_runs_newest ON reconciliation_runs (started_at DESC, id DESC);

-- The provider's side of a run, copied page by page so that matching is one join in PostgreSQL and
-- memory holds one page, whatever the window's size. Deleted when the run succeeds.
CREATE TABLE reconciliation_provider_records (
    run_id        uuid    NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
    kind          text    NOT NULL CHECK (kind IN ('transaction', 'transfer')),
    provider_id   bigint  NOT NULL,
    reference     text    NOT NULL,
    status        text    NOT NULL,
    amount_minor  bigint  NOT NULL,
    currency      char(3) NOT NULL,
    -- the run's verdict on the pair, written once by one UPDATE after the last page: the counts,
    -- the discrepancies and the repairs (also those of a resumed run) all read it from here
    category      text,
    repairable    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (run_id, kind, provider_id)
);

CREATE INDEX reconciliation_provider_records_reference
    ON reconciliation_provider_records (run_id, kind, reference);
CREATE INDEX reconciliation_provider_records_repairable
    ON reconciliation_provider_records (run_id, reference) WHERE repairable;

-- Our side of a window, and the look-up of an earlier payment for the same purpose (a duplicate).
CREATE INDEX payment_intents_created ON payment_intents (created_at);
CREATE INDEX payment_intents_purpose ON payment_intents (purpose, purpose_id, payer, created_at);
CREATE INDEX payouts_created ON payouts (created_at);
