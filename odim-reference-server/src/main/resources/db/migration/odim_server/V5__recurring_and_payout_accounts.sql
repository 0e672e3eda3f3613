-- Recurring subscriptions. A subscription runs in monthly periods counted from its activation
-- (period n ends n months after activated_at); at the end of each period a renewal job charges the
-- card saved by its first payment. A declined renewal leaves it past_due; a cancelled one (renews
-- false) ends at the end of its period instead of renewing.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_check;

ALTER TABLE subscriptions
    ADD COLUMN current_period         integer,
    ADD COLUMN current_period_end     timestamptz,
    ADD COLUMN renews                 boolean     NOT NULL DEFAULT true,
    ADD COLUMN cancelled_at           timestamptz,
    ADD COLUMN ended_at               timestamptz,
    -- The Paystack authorization that can charge the card again: a secret, stored only encrypted
    -- (odim-core's FieldCipher, bound to the row). The last four digits are encrypted too; the
    -- brand is shown as it is.
    ADD COLUMN authorization_encrypted text,
    ADD COLUMN card_last4_encrypted   text,
    ADD COLUMN card_brand             text CHECK (length(card_brand) <= 40),
    ADD COLUMN version                integer     NOT NULL DEFAULT 0 CHECK (version >= 0);

-- Subscriptions activated before this migration start their first period at activation.
UPDATE subscriptions
   SET current_period = 1, current_period_end = activated_at + interval '1 month'
 WHERE status = 'active';

ALTER TABLE subscriptions
    ADD CONSTRAINT subscriptions_status_known
        CHECK (status IN ('pending', 'active', 'past_due', 'ended')),
    ADD CONSTRAINT subscriptions_activated_unless_pending
        CHECK ((status = 'pending') = (activated_at IS NULL)),
    ADD CONSTRAINT subscriptions_period_once_activated
        CHECK ((activated_at IS NULL) = (current_period IS NULL)
           AND (current_period IS NULL) = (current_period_end IS NULL)
           AND (current_period IS NULL OR current_period >= 1)),
    ADD CONSTRAINT subscriptions_cancelled_stops_renewal
        CHECK (renews = (cancelled_at IS NULL)),
    ADD CONSTRAINT subscriptions_ended_has_time
        CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
    ADD CONSTRAINT subscriptions_card_whole
        CHECK ((authorization_encrypted IS NULL) = (card_last4_encrypted IS NULL));

-- One renewal per subscription and period, whichever instance or job attempt gets there: the
-- primary key is the guarantee, the payment reference is derived from it (ren-<id>-<period>) so
-- that Paystack refuses a second charge of the same period too.
CREATE TABLE subscription_renewals (
    subscription_id   uuid        NOT NULL REFERENCES subscriptions (id),
    period            integer     NOT NULL CHECK (period >= 2),
    payment_reference text        NOT NULL,
    status            text        NOT NULL
                      CONSTRAINT subscription_renewals_status_known
                      CHECK (status IN ('charging', 'succeeded', 'declined', 'ended')),
    detail            text        NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
    created_at        timestamptz NOT NULL,
    decided_at        timestamptz,
    CONSTRAINT subscription_renewals_one_per_period PRIMARY KEY (subscription_id, period),
    CONSTRAINT subscription_renewals_reference_unique UNIQUE (payment_reference),
    CONSTRAINT subscription_renewals_decided_has_time
        CHECK ((status = 'charging') = (decided_at IS NULL))
);

-- A creator's bank account for payouts (a Nigerian NUBAN account). The account number and the
-- holder's name are personal data, stored only encrypted; recipient_code is Paystack's transfer
-- recipient for the account, created before the row is written, which payouts name.
CREATE TABLE payout_accounts (
    creator_id               uuid        PRIMARY KEY REFERENCES users (id),
    bank_code                text        NOT NULL CHECK (bank_code ~ '^[0-9]{3,9}$'),
    account_number_encrypted text        NOT NULL,
    account_name_encrypted   text        NOT NULL,
    recipient_code           text        NOT NULL CHECK (length(recipient_code) BETWEEN 1 AND 100),
    version                  integer     NOT NULL CHECK (version >= 1),
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL
);
