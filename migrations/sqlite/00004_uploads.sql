-- +goose Up
-- Files are content-addressed: one file per sha256 on disk, one row per owner and
-- content, so an identical image uploaded twice is stored once and every uploader
-- stays on record.
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size         INTEGER NOT NULL CHECK (size > 0),
    width        INTEGER,
    height       INTEGER,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX uploads_owner_sha256_key ON uploads (owner_id, sha256);
CREATE INDEX uploads_sha256 ON uploads (sha256);

-- +goose Down
DROP TABLE uploads;
