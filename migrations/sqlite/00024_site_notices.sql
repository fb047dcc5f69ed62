-- +goose Up
-- Site notices (proactive service, app/notice): "Outage in region X since 14:00,
-- we are working on it", published by agents and moderators, shown on every
-- page from starts_at until ends_at (none: until ended), in the reader's
-- language where it was written in it. ended_at is set when staff end one
-- early; a notice is never deleted, so what the forum said stays on record.
CREATE TABLE site_notices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    level      TEXT NOT NULL CHECK (level IN ('info', 'warning', 'outage')),
    text_en    TEXT NOT NULL DEFAULT '',
    text_de    TEXT NOT NULL DEFAULT '',
    thread_id  INTEGER REFERENCES threads (id) ON DELETE SET NULL,
    starts_at  DATETIME NOT NULL,
    ends_at    DATETIME,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at DATETIME NOT NULL,
    ended_at   DATETIME,
    ended_by   INTEGER REFERENCES users (id)
);
CREATE INDEX site_notices_ends ON site_notices (ended_at, ends_at);

-- +goose Down
DROP TABLE site_notices;
