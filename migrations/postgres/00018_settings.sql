-- +goose Up
-- Settings that admins change while the forum runs (/admin/moderation), one row
-- per group (key 'moderation'): value is the group as JSON, its fields over the
-- environment's defaults. No row means the defaults; a reset keeps the row with
-- value NULL, so that version only ever grows and every node, which reloads when
-- the version it applied is no longer the row's, notices a reset too. A save
-- names the version it was read at: of two admins saving at once, the second
-- finds the version moved on and is told so.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT,
    version    BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);

-- +goose Down
DROP TABLE settings;
