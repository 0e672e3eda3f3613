-- What a creator uploaded: one row per finished tus upload, written by the upload's completion
-- hook in the transaction that marks the upload finished (odim-uploads), so an upload is never
-- finished without its record nor recorded unfinished. The id is the upload's own id; the bytes
-- stay in odim-uploads' store under that id.
CREATE TABLE contents (
    id          uuid        PRIMARY KEY,
    creator_id  uuid        NOT NULL REFERENCES users (id),
    -- From the client's Upload-Metadata; shown back to the creator, never used as a path.
    filename    text        CONSTRAINT contents_filename_length
                                CHECK (filename IS NULL OR length(filename) BETWEEN 1 AND 255),
    -- Sniffed from the first bytes, one of the allowed creator types (video, audio, image, PDF).
    media_type  text        NOT NULL CONSTRAINT contents_media_type_allowed
                                CHECK (media_type ~ '^(video|audio|image)/[a-z0-9.+-]+$'
                                       OR media_type = 'application/pdf'),
    -- 2 GiB is the largest upload the server takes.
    size_bytes  bigint      NOT NULL CONSTRAINT contents_size_in_range
                                CHECK (size_bytes BETWEEN 0 AND 2147483648),
    created_at  timestamptz NOT NULL
);

-- GET /api/creators/me/contents: a creator's contents newest first, paged by (created_at, id).
CREATE INDEX contents_creator_newest ON contents (creator_id, created_at DESC, id DESC);
