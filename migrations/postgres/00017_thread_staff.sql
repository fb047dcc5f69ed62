-- +goose Up
-- What moderators do to whole threads.
--
-- Locking is a column of its own rather than the state 'locked': a solved thread
-- can be locked and stays solved. Threads in the old state become open or
-- solved, locked.
ALTER TABLE threads ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE threads SET locked = TRUE, state = CASE WHEN solution_post_id IS NULL THEN 'open' ELSE 'solved' END WHERE state = 'locked';
-- A pinned thread lists first in its board, the latest pinned first.
ALTER TABLE threads ADD COLUMN pinned_at TIMESTAMPTZ;
CREATE INDEX threads_board_pinned ON threads (board_id, pinned_at DESC) WHERE pinned_at IS NOT NULL;
-- Hiding is not deleting: a deleted thread is gone for everyone but staff (its
-- author deleted it, or staff deleted its question); a hidden one staff took
-- out of view for a reason its author is shown, and they still see it.
ALTER TABLE threads ADD COLUMN hidden_at TIMESTAMPTZ;
ALTER TABLE threads ADD COLUMN hidden_by BIGINT REFERENCES users (id);
-- A thread merged into another has lost its posts to it; its address leads
-- there. It is also deleted (deleted_at), so that every list and count that
-- leaves out deleted threads leaves it out.
ALTER TABLE threads ADD COLUMN merged_into BIGINT REFERENCES threads (id);

-- What happened to a thread, told on its page: "Moved from Billing by a
-- moderator: reason". kind is moved, merged, split_from, split_to, locked,
-- unlocked, pinned, unpinned, hidden, restored; detail what the kind needs
-- (the old board's id, the other thread's id or title).
CREATE TABLE thread_notices (
    id         BIGSERIAL PRIMARY KEY,
    thread_id  BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    actor_id   BIGINT NOT NULL REFERENCES users (id),
    reason     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX thread_notices_thread ON thread_notices (thread_id, id);

-- +goose Down
DROP TABLE thread_notices;
ALTER TABLE threads DROP COLUMN merged_into;
ALTER TABLE threads DROP COLUMN hidden_by;
ALTER TABLE threads DROP COLUMN hidden_at;
DROP INDEX threads_board_pinned;
ALTER TABLE threads DROP COLUMN pinned_at;
UPDATE threads SET state = 'locked' WHERE locked AND state = 'open';
ALTER TABLE threads DROP COLUMN locked;
