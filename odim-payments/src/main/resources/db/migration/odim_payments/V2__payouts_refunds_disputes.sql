-- Money going out: payouts to creators, refunds to payers, disputes opened by payers' banks. Each
-- row's status moves only along the edges its trigger allows, and every move is recorded.

-- A creator's payout. The amount is held on the creator's ledger balance (pending transfer
-- hold_id) from the request until Paystack's word: posted when paid, voided when failed, and a
-- paid payout that Paystack reverses is moved back by a ledger reversal.
CREATE TABLE payouts (
    reference        text        PRIMARY KEY CHECK (reference ~ '^[a-z0-9_-]{1,100}$'),
    creator_account  uuid        NOT NULL,
    amount_minor     bigint      NOT NULL CHECK (amount_minor > 0),
    currency         char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    recipient_code   text        NOT NULL CHECK (length(recipient_code) BETWEEN 1 AND 200),
    reason           text        CHECK (length(reason) <= 500),
    status           text        NOT NULL CHECK (status IN ('requested', 'sent', 'paid', 'failed',
                                     'reversed')),
    transfer_code    text,
    hold_id          uuid        NOT NULL UNIQUE,
    failure          text        NOT NULL DEFAULT '',
    version          integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

CREATE INDEX payouts_creator ON payouts (creator_account, created_at);
CREATE INDEX payouts_status ON payouts (status, updated_at);

CREATE TABLE payout_transitions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference   text        NOT NULL REFERENCES payouts (reference),
    from_status text,
    to_status   text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('api', 'job', 'webhook', 'verify', 'admin')),
    detail      text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);

CREATE INDEX payout_transitions_reference ON payout_transitions (reference, id);

CREATE FUNCTION payout_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  -- A webhook can overtake the job that records Paystack's answer, so a requested payout may
  -- end without having been seen as sent.
  IF (OLD.status, NEW.status) NOT IN (
      ('requested', 'sent'), ('requested', 'paid'), ('requested', 'failed'),
      ('requested', 'reversed'),
      ('sent', 'paid'), ('sent', 'failed'), ('sent', 'reversed'),
      ('paid', 'reversed')) THEN
    RAISE EXCEPTION 'payout % cannot go from % to %', OLD.reference, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.version <> OLD.version + 1 THEN
    RAISE EXCEPTION 'payout % changed without its version moving by one', OLD.reference
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER payout_transition BEFORE UPDATE ON payouts
  FOR EACH ROW EXECUTE FUNCTION payout_transition();

-- A refund of a settled payment, in full or in part. creator_part + fee_part = amount: the share
-- of the refund taken back from the creator and from the platform's fee (see docs/payments.md for
-- the rounding). The creator's part is held on their balance (hold_id) from the request on, so the
-- money cannot be paid out meanwhile.
CREATE TABLE refunds (
    reference          text        PRIMARY KEY CHECK (reference ~ '^[A-Za-z0-9._=-]{1,100}$'),
    payment_reference  text        NOT NULL REFERENCES payment_intents (reference),
    amount_minor       bigint      NOT NULL CHECK (amount_minor > 0),
    creator_part_minor bigint      NOT NULL CHECK (creator_part_minor >= 0),
    fee_part_minor     bigint      NOT NULL CHECK (fee_part_minor >= 0),
    currency           char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status             text        NOT NULL CHECK (status IN ('requested', 'sending', 'sent',
                                       'unknown', 'processed', 'failed')),
    provider_refund_id bigint      UNIQUE,
    hold_id            uuid        UNIQUE,
    failure            text        NOT NULL DEFAULT '',
    version            integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (creator_part_minor + fee_part_minor = amount_minor),
    CHECK ((hold_id IS NULL) = (creator_part_minor = 0))
);

CREATE INDEX refunds_payment ON refunds (payment_reference, created_at);

CREATE TABLE refund_transitions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference   text        NOT NULL REFERENCES refunds (reference),
    from_status text,
    to_status   text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('api', 'job', 'webhook', 'verify', 'admin')),
    detail      text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);

CREATE INDEX refund_transitions_reference ON refund_transitions (reference, id);

CREATE FUNCTION refund_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  -- sending: an attempt is under way and may reach Paystack; Paystack takes no reference of ours
  -- for a refund, so a refund is never sent twice blindly. unknown: an attempt got no clear
  -- answer; Paystack's list of the payment's refunds (the look-up job), the refund.* webhook
  -- (matched by payment and amount) or a person decides; back to requested only when the list
  -- shows Paystack never got it.
  IF (OLD.status, NEW.status) NOT IN (
      ('requested', 'sending'), ('sending', 'requested'), ('sending', 'sent'),
      ('sending', 'unknown'), ('sending', 'failed'), ('requested', 'failed'),
      ('sending', 'processed'), ('sent', 'processed'), ('unknown', 'processed'),
      ('sent', 'failed'), ('unknown', 'failed'), ('unknown', 'sent'), ('unknown', 'requested'))
      THEN
    RAISE EXCEPTION 'refund % cannot go from % to %', OLD.reference, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.version <> OLD.version + 1 THEN
    RAISE EXCEPTION 'refund % changed without its version moving by one', OLD.reference
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER refund_transition BEFORE UPDATE ON refunds
  FOR EACH ROW EXECUTE FUNCTION refund_transition();

-- A dispute (chargeback) of a settled payment. What the creator's balance could cover of the
-- disputed amount is held (hold_id, held_minor) until the dispute is resolved: voided when the
-- merchant wins, posted to the disputes account when the merchant loses.
CREATE TABLE disputes (
    id                text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 100),
    payment_reference text        NOT NULL REFERENCES payment_intents (reference),
    amount_minor      bigint      NOT NULL CHECK (amount_minor > 0),
    held_minor        bigint      NOT NULL CHECK (held_minor >= 0 AND held_minor <= amount_minor),
    currency          char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status            text        NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    hold_id           uuid        UNIQUE,
    version           integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK ((hold_id IS NULL) = (held_minor = 0))
);

CREATE INDEX disputes_payment ON disputes (payment_reference);

CREATE FUNCTION dispute_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  IF (OLD.status, NEW.status) NOT IN (('open', 'won'), ('open', 'lost')) THEN
    RAISE EXCEPTION 'dispute % cannot go from % to %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.version <> OLD.version + 1 THEN
    RAISE EXCEPTION 'dispute % changed without its version moving by one', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER dispute_transition BEFORE UPDATE ON disputes
  FOR EACH ROW EXECUTE FUNCTION dispute_transition();

-- A dispute the merchant wins returns the payment to where its refunds left it, which may be
-- partially refunded or refunded (a refund requested before the dispute can complete during it).
CREATE OR REPLACE FUNCTION payment_intent_transition() RETURNS trigger LANGUAGE plpgsql AS $$
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
      ('partially_refunded', 'disputed'), ('disputed', 'succeeded'),
      ('disputed', 'partially_refunded'), ('disputed', 'refunded')) THEN
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
