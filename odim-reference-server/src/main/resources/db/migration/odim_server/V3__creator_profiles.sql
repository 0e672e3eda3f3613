-- A creator's public profile. The bio is rich text, stored only after the OWASP HTML sanitizer
-- kept what is safe (formatting and links); it is sanitised again whenever it is rendered.
CREATE TABLE creator_profiles (
    user_id      uuid        PRIMARY KEY REFERENCES users (id),
    handle       text        NOT NULL UNIQUE CHECK (handle ~ '^[a-z0-9_]{3,30}$'),
    display_name text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    bio_html     text        NOT NULL CHECK (length(bio_html) <= 20000),
    version      integer     NOT NULL CHECK (version >= 1),
    updated_at   timestamptz NOT NULL
);
