-- +goose Up
-- Why a post waits for review (a newcomer's first post, a link from a newcomer,
-- too many links, the same text again, a blocked word, a silenced member), for the
-- review queue. Empty for posts that never waited, and for those held before.
ALTER TABLE posts ADD COLUMN held_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE posts DROP COLUMN held_reason;
