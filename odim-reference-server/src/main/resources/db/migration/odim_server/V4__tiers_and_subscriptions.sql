-- What a creator sells: subscription tiers with a monthly price in minor units.
CREATE TABLE tiers (
    id           uuid        PRIMARY KEY,
    creator_id   uuid        NOT NULL REFERENCES users (id),
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    amount_minor bigint      NOT NULL CHECK (amount_minor BETWEEN 100 AND 100000000),
    currency     char(3)     NOT NULL CHECK (currency = 'NGN'),
    created_at   timestamptz NOT NULL,
    UNIQUE (creator_id, name)
);

-- A fan's subscription to a tier: pending until its payment settles, then active. The payment's
-- reference ties it to odim-payments' intent; activation happens in the settlement's transaction.
CREATE TABLE subscriptions (
    id                uuid        PRIMARY KEY,
    fan_id            uuid        NOT NULL REFERENCES users (id),
    tier_id           uuid        NOT NULL REFERENCES tiers (id),
    payment_reference text        NOT NULL UNIQUE,
    status            text        NOT NULL CHECK (status IN ('pending', 'active')),
    created_at        timestamptz NOT NULL,
    activated_at      timestamptz,
    CHECK ((status = 'active') = (activated_at IS NOT NULL))
);

CREATE INDEX subscriptions_fan ON subscriptions (fan_id);
