-- +goose Up
-- What members are told (app/notify): one row per notification, written by the
-- notification consumer of the event stream. Kudos on one post are one row while
-- unread (group_key, actors counts them): "3 people gave kudos".
CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    thread_id      INTEGER NOT NULL DEFAULT 0,
    post_id        INTEGER NOT NULL DEFAULT 0,
    actor_id       INTEGER NOT NULL DEFAULT 0,
    actors         INTEGER NOT NULL DEFAULT 1,
    detail         TEXT NOT NULL DEFAULT '',
    group_key      TEXT NOT NULL DEFAULT '',
    digest_pending BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    read_at        DATETIME
);
CREATE INDEX notifications_user ON notifications (user_id, updated_at, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_group ON notifications (user_id, group_key) WHERE read_at IS NULL AND group_key <> '';
CREATE INDEX notifications_digest ON notifications (user_id) WHERE digest_pending;

-- Who follows what: a thread, a board or a tag (target_id is its id). level
-- 'muted' on a thread keeps a member who unwatched it from being told through
-- the board or a tag, and from being watched again when they answer.
CREATE TABLE watches (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target     TEXT NOT NULL CHECK (target IN ('thread', 'board', 'tag')),
    target_id  INTEGER NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('watching', 'muted')),
    created_at DATETIME NOT NULL,
    PRIMARY KEY (user_id, target, target_id)
);
CREATE INDEX watches_target ON watches (target, target_id, user_id);

-- How a member wants each kind told; no row means the kind's default.
CREATE TABLE notification_prefs (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL CHECK (delivery IN ('app', 'email', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);

-- How far the notification consumer got, written in the transaction of what
-- it wrote: the stream hands a batch again after a crash, and this says which
-- records (and, for one that tells thousands of watchers in several
-- transactions, which of its recipients by user id) are done already.
CREATE TABLE notify_progress (
    name        TEXT PRIMARY KEY,
    tx          INTEGER NOT NULL,
    record_id   INTEGER NOT NULL,
    user_cursor INTEGER NOT NULL
);

-- When each member got their last daily digest.
CREATE TABLE notify_digests (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sent_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE notify_digests;
DROP TABLE notify_progress;
DROP TABLE notification_prefs;
DROP TABLE watches;
DROP TABLE notifications;
