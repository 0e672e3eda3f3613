-- A payment intent: what a payer owes a creator for one purchase, under the reference Paystack
-- knows it by. Its status moves only along the edges the trigger below allows, and every move is
-- recorded in payment_transitions with the path that made it.
CREATE TABLE payment_intents (
    reference        text        PRIMARY KEY CHECK (reference ~ '^[A-Za-z0-9.=-]{6,100}$'),
    payer            text        NOT NULL CHECK (length(payer) BETWEEN 1 AND 200),
    creator_account  uuid        NOT NULL,
    amount_minor     bigint      NOT NULL CHECK (amount_minor > 0),
    fee_minor        bigint      NOT NULL CHECK (fee_minor >= 0 AND fee_minor <= amount_minor),
    currency         char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    purpose          text        NOT NULL CHECK (length(purpose) BETWEEN 1 AND 100),
    purpose_id       text        NOT NULL CHECK (length(purpose_id) BETWEEN 1 AND 200),
    status           text        NOT NULL CHECK (status IN ('created', 'pending', 'succeeded',
                                     'failed', 'abandoned', 'refunded', 'partially_refunded',
                                     'disputed')),
    provider_id      text,
    version          integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    settled_at       timestamptz,
    CHECK ((status IN ('succeeded', 'refunded', 'partially_refunded', 'disputed'))
           = (settled_at IS NOT NULL))
);

CREATE INDEX payment_intents_status ON payment_intents (status, updated_at);

CREATE TABLE payment_transitions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference   text        NOT NULL REFERENCES payment_intents (reference),
    from_status text,
    to_status   text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('api', 'webhook', 'verify',
                                'reconciliation', 'admin')),
    detail      text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);

CREATE INDEX payment_transitions_reference ON payment_transitions (reference, id);

-- What the provider said that does not fit the intent (another amount or currency): nothing is
-- fulfilled; the row waits for a person or reconciliation.
CREATE TABLE payment_discrepancies (
    id          uuid        PRIMARY KEY,
    reference   text        NOT NULL REFERENCES payment_intents (reference),
    kind        text        NOT NULL CHECK (kind IN ('amount_mismatch', 'currency_mismatch')),
    expected    text        NOT NULL,
    reported    text        NOT NULL,
    source      text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'ignored')),
    created_at  timestamptz NOT NULL,
    UNIQUE (reference, kind, reported)
);

-- The state machine, enforced where every writer must pass.
CREATE FUNCTION payment_intent_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  IF (OLD.status, NEW.status) NOT IN (
      ('created', 'pending'), ('created', 'succeeded'), ('created', 'failed'),
      ('created', 'abandoned'),
      ('pending', 'succeeded'), ('pending', 'failed'), ('pending', 'abandoned'),
      -- Paystack can report success after a failure or abandonment (a retried charge): money
      -- that arrived is settled, never refused.
      ('failed', 'succeeded'), ('abandoned', 'succeeded'),
      ('succeeded', 'refunded'), ('succeeded', 'partially_refunded'),
      ('partially_refunded', 'refunded'), ('succeeded', 'disputed'),
      ('partially_refunded', 'disputed'), ('disputed', 'succeeded')) THEN
    RAISE EXCEPTION 'payment % cannot go from % to %', OLD.reference, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.version <> OLD.version + 1 THEN
    RAISE EXCEPTION 'payment % changed without its version moving by one', OLD.reference
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER payment_intent_transition BEFORE UPDATE ON payment_intents
  FOR EACH ROW EXECUTE FUNCTION payment_intent_transition();
