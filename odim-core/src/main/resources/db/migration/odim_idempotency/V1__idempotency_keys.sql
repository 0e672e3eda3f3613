-- One row per (scope, key): the first request's fingerprint, and once it finished its response,
-- replayed to every retry until expires_at. A row in_flight whose locked_until has passed belongs
-- to a request that died; the next retry takes it over.
CREATE TABLE idempotency_keys (
    scope        text        NOT NULL CHECK (length(scope) BETWEEN 1 AND 200),
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    fingerprint  bytea       NOT NULL CHECK (length(fingerprint) = 32),
    state        text        NOT NULL CHECK (state IN ('in_flight', 'completed')),
    status       integer     CHECK (status BETWEEN 100 AND 599),
    content_type text,
    headers      text,
    body         bytea,
    created_at   timestamptz NOT NULL,
    locked_until timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key),
    CHECK ((state = 'completed') = (status IS NOT NULL AND body IS NOT NULL))
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
