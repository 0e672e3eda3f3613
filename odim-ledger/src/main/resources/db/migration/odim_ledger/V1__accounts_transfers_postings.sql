-- The ledger's tables. Balances live on the account row and are changed only by the ledger, one
-- UPDATE per account per batch; every change also leaves a posting row carrying the running
-- balance, so history and point-in-time reads are index lookups. The constraints restate the
-- invariants the engine already checks, so that no bug and no hand-written SQL can break them.

CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  currency char(3) NOT NULL,
  code integer NOT NULL,
  debits_must_not_exceed_credits boolean NOT NULL,
  credits_must_not_exceed_debits boolean NOT NULL,
  history boolean NOT NULL,
  closed boolean NOT NULL,
  metadata jsonb NOT NULL,
  debits_pending bigint NOT NULL DEFAULT 0,
  debits_posted bigint NOT NULL DEFAULT 0,
  credits_pending bigint NOT NULL DEFAULT 0,
  credits_posted bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  CONSTRAINT accounts_currency_is_iso CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT accounts_code_not_negative CHECK (code >= 0),
  CONSTRAINT accounts_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
  CONSTRAINT accounts_balances_not_negative
    CHECK (debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0),
  CONSTRAINT accounts_limits_exclusive
    CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
  CONSTRAINT accounts_debits_within_credits
    CHECK (NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
  CONSTRAINT accounts_credits_within_debits
    CHECK (NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted),
  CONSTRAINT accounts_version_not_negative CHECK (version >= 0)
);

CREATE TABLE transfers (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  debit_account_id uuid NOT NULL REFERENCES accounts (id),
  credit_account_id uuid NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL,
  requested_amount bigint NOT NULL,
  currency char(3) NOT NULL,
  code integer NOT NULL,
  pending_id uuid REFERENCES transfers (id),
  reverses_id uuid REFERENCES transfers (id),
  timeout_ms bigint,
  timeout_at timestamptz,
  pending_state text,
  reversed_amount bigint NOT NULL DEFAULT 0,
  linked boolean NOT NULL,
  balancing text NOT NULL,
  metadata jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  -- The versions of the two postings this transfer made: balanceAfter(account, transfer) is a
  -- primary-key lookup of postings, with no index on postings.transfer_id to maintain.
  debit_version bigint NOT NULL,
  credit_version bigint NOT NULL,
  CONSTRAINT transfers_kind_known
    CHECK (kind IN ('immediate', 'pending', 'post_pending', 'void_pending', 'reversal')),
  CONSTRAINT transfers_accounts_differ CHECK (debit_account_id <> credit_account_id),
  CONSTRAINT transfers_amount_not_negative CHECK (amount >= 0 AND requested_amount >= 0),
  CONSTRAINT transfers_code_not_negative CHECK (code >= 0),
  CONSTRAINT transfers_pending_state_only_on_pending
    CHECK ((kind = 'pending') = (pending_state IS NOT NULL)),
  CONSTRAINT transfers_pending_state_known
    CHECK (pending_state IS NULL OR pending_state IN ('pending', 'posted', 'voided', 'expired')),
  CONSTRAINT transfers_resolution_names_its_pending
    CHECK ((kind IN ('post_pending', 'void_pending')) = (pending_id IS NOT NULL)),
  CONSTRAINT transfers_reversal_names_its_original
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
  CONSTRAINT transfers_reversed_within_amount
    CHECK (reversed_amount >= 0 AND reversed_amount <= amount),
  CONSTRAINT transfers_balancing_known CHECK (balancing IN ('none', 'debit', 'credit')),
  CONSTRAINT transfers_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object')
);

-- A pending transfer is posted or voided at most once.
CREATE UNIQUE INDEX transfers_one_resolution_per_pending ON transfers (pending_id)
  WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_by_reversed ON transfers (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX transfers_pending_timeouts ON transfers (timeout_at)
  WHERE pending_state = 'pending' AND timeout_at IS NOT NULL;
-- No index per account on transfers: an account's history is read from postings, and every
-- index here is paid on the hot path of each transfer.

-- Postings are derived rows, written only by the ledger in the same statement batch as the
-- transfers they record. They carry no foreign keys: each would cost two index lookups and a row
-- lock per posting (two postings per transfer, measured at a third of the write time), and
-- verify() checks that every posting belongs to a transfer and an account.
CREATE TABLE postings (
  account_id uuid NOT NULL,
  version bigint NOT NULL,
  transfer_id uuid NOT NULL,
  event text NOT NULL,
  debits_pending bigint NOT NULL,
  debits_posted bigint NOT NULL,
  credits_pending bigint NOT NULL,
  credits_posted bigint NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT postings_pkey PRIMARY KEY (account_id, version),
  CONSTRAINT postings_event_known CHECK (event IN ('transfer', 'post', 'void', 'expire'))
);

CREATE INDEX postings_by_time ON postings (account_id, created_at);
