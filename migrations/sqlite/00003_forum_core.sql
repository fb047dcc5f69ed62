-- +goose Up
ALTER TABLE threads ADD COLUMN deleted_at DATETIME;
ALTER TABLE threads ADD COLUMN deleted_by INTEGER REFERENCES users (id);
CREATE INDEX threads_created ON threads (created_at DESC, id DESC);
CREATE INDEX threads_board_created ON threads (board_id, created_at DESC, id DESC);
CREATE INDEX threads_unanswered ON threads (created_at DESC, id DESC) WHERE answer_count = 0;
CREATE INDEX threads_board_unanswered ON threads (board_id, created_at DESC, id DESC) WHERE answer_count = 0;
CREATE INDEX threads_solved ON threads (last_activity_at DESC, id DESC) WHERE state = 'solved';
CREATE INDEX threads_board_solved ON threads (board_id, last_activity_at DESC, id DESC) WHERE state = 'solved';

ALTER TABLE posts ADD COLUMN deleted_at DATETIME;
ALTER TABLE posts ADD COLUMN deleted_by INTEGER REFERENCES users (id);
ALTER TABLE posts ADD COLUMN edited_at DATETIME;
ALTER TABLE posts ADD COLUMN revision_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    editor_id  INTEGER NOT NULL REFERENCES users (id),
    reason     TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE tags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    thread_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE thread_tags (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (thread_id, tag_id)
);
CREATE INDEX thread_tags_tag ON thread_tags (tag_id, thread_id);

-- +goose Down
DROP TABLE thread_tags;
DROP TABLE tags;
DROP TABLE post_revisions;
DROP INDEX threads_board_solved;
DROP INDEX threads_solved;
DROP INDEX threads_board_unanswered;
DROP INDEX threads_unanswered;
DROP INDEX threads_board_created;
DROP INDEX threads_created;
ALTER TABLE posts DROP COLUMN revision_count;
ALTER TABLE posts DROP COLUMN edited_at;
ALTER TABLE posts DROP COLUMN deleted_by;
ALTER TABLE posts DROP COLUMN deleted_at;
ALTER TABLE threads DROP COLUMN deleted_by;
ALTER TABLE threads DROP COLUMN deleted_at;
