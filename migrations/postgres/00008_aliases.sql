-- +goose Up
-- How others asked for a thread: titles of questions that a customer said it
-- answered, or that a moderator closed as its duplicate. Search finds the thread
-- by them as by its title.
CREATE TABLE thread_aliases (
    id         BIGSERIAL PRIMARY KEY,
    thread_id  BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (thread_id, text)
);

-- +goose Down
DROP TABLE thread_aliases;
