CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL, beta boolean NOT NULL DEFAULT true);
