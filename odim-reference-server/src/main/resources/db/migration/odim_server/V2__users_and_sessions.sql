-- Users: personal data is stored only encrypted (AES-256-GCM, odim-core's FieldCipher); the email
-- is found through a blind index (keyed HMAC of the normalised address), never stored in clear.
CREATE TABLE users (
    id                  uuid        PRIMARY KEY,
    role                text        NOT NULL CHECK (role IN ('fan', 'creator', 'admin')),
    email_index         bytea       NOT NULL UNIQUE,
    email_encrypted     text        NOT NULL,
    name_encrypted      text        NOT NULL,
    password_hash       text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    password_changed_at timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    version             integer     NOT NULL DEFAULT 0 CHECK (version >= 0)
);

-- Sessions: the token itself is never stored, only its SHA-256, so a copy of this table signs no
-- one in. A session ends at the earlier of idle_expires_at (moved forward as it is used) and
-- absolute_expires_at; ended_at is set by logout and password change.
CREATE TABLE sessions (
    id                  uuid        PRIMARY KEY,
    token_hash          bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id             uuid        NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL,
    last_seen_at        timestamptz NOT NULL,
    idle_expires_at     timestamptz NOT NULL,
    absolute_expires_at timestamptz NOT NULL,
    ended_at            timestamptz,
    ended_reason        text CHECK (ended_reason IN ('logout', 'password_changed', 'revoked')),
    client_ip           text        NOT NULL,
    user_agent          text        NOT NULL,
    CHECK (idle_expires_at <= absolute_expires_at),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);

CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;
