-- +goose Up
-- Accepted solutions, kudos, the reputation ledger, badges and the review state.
ALTER TABLE threads ADD COLUMN solution_post_id BIGINT REFERENCES posts (id);
ALTER TABLE threads ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE posts ADD COLUMN kudos_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX threads_unsolved ON threads (last_activity_at DESC, id DESC) WHERE state <> 'solved';
CREATE INDEX threads_board_unsolved ON threads (board_id, last_activity_at DESC, id DESC) WHERE state <> 'solved';
CREATE INDEX posts_author ON posts (author_id, id);
CREATE INDEX posts_pending ON posts (id) WHERE pending;
CREATE INDEX threads_author ON threads (author_id, id);

CREATE TABLE kudos (
    post_id    BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, user_id)
);

-- Every reputation point, and every fact a badge is judged by, is one row. Rows are
-- never updated or deleted: taking something back is a row of its own.
CREATE TABLE reputation_events (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    points     INTEGER NOT NULL,
    actor_id   BIGINT,
    thread_id  BIGINT,
    post_id    BIGINT,
    board_id   BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reputation_events_user ON reputation_events (user_id, id);
CREATE INDEX reputation_events_created ON reputation_events (created_at, user_id);

-- Badges once earned are kept. Each grant has an id so that a notification can
-- name it (the outbox carries topic "badge" and this id).
CREATE TABLE user_badges (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    badge      TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, badge)
);
CREATE INDEX user_badges_badge ON user_badges (badge, granted_at);

-- +goose Down
DROP TABLE user_badges;
DROP TABLE reputation_events;
DROP TABLE kudos;
DROP INDEX threads_author;
DROP INDEX posts_pending;
DROP INDEX posts_author;
DROP INDEX threads_board_unsolved;
DROP INDEX threads_unsolved;
ALTER TABLE posts DROP COLUMN pending;
ALTER TABLE posts DROP COLUMN kudos_count;
ALTER TABLE threads DROP COLUMN pending;
ALTER TABLE threads DROP COLUMN solution_post_id;
