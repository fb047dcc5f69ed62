-- +goose Up
CREATE TABLE boards (
    id             BIGSERIAL PRIMARY KEY,
    parent_id      BIGINT REFERENCES boards (id),
    slug           TEXT NOT NULL UNIQUE,
    name_en        TEXT NOT NULL,
    name_de        TEXT NOT NULL,
    description_en TEXT NOT NULL DEFAULT '',
    description_de TEXT NOT NULL DEFAULT '',
    position       INTEGER NOT NULL DEFAULT 0,
    post_role      TEXT NOT NULL DEFAULT 'member',
    thread_count   INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE threads (
    id               BIGSERIAL PRIMARY KEY,
    board_id         BIGINT NOT NULL REFERENCES boards (id),
    author_id        BIGINT NOT NULL REFERENCES users (id),
    title            TEXT NOT NULL,
    slug             TEXT NOT NULL,
    language         TEXT NOT NULL DEFAULT 'en',
    state            TEXT NOT NULL DEFAULT 'open',
    answer_count     INTEGER NOT NULL DEFAULT 0,
    view_count       INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX threads_board_activity ON threads (board_id, last_activity_at DESC, id DESC);
CREATE INDEX threads_activity ON threads (last_activity_at DESC, id DESC);

CREATE TABLE posts (
    id          BIGSERIAL PRIMARY KEY,
    thread_id   BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    author_id   BIGINT NOT NULL REFERENCES users (id),
    is_question BOOLEAN NOT NULL DEFAULT FALSE,
    official    BOOLEAN NOT NULL DEFAULT FALSE,
    source      TEXT NOT NULL,
    html        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_thread ON posts (thread_id, id);

-- +goose Down
DROP TABLE posts;
DROP TABLE threads;
DROP TABLE boards;
