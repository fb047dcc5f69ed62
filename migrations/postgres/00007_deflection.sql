-- +goose Up
-- One row per visit to the ask page, and what happened in it: suggestions shown
-- and clicked, "this solved my problem", the question posted anyway, or the ask
-- abandoned after a click. Nothing personal beyond the member's id.
CREATE TABLE ask_sessions (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    started_at TIMESTAMPTZ NOT NULL,
    outcome    TEXT NOT NULL DEFAULT '',
    ended_at   TIMESTAMPTZ
);
CREATE INDEX ask_sessions_started ON ask_sessions (started_at);

CREATE TABLE deflection_events (
    id         BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES ask_sessions (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    thread_id  BIGINT NOT NULL DEFAULT 0,
    query      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (session_id, kind, thread_id)
);

-- +goose Down
DROP TABLE deflection_events;
DROP TABLE ask_sessions;
