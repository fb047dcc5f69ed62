-- +goose Up
-- Flags on posts and reports on members, both from signed-in members, for
-- moderators to decide on. A flag has the post (post_id) and its author
-- (member_id); a report only the member reported (post_id NULL). kind is spam,
-- abusive, off_topic, duplicate (duplicate_of: the thread it repeats) or
-- moderator, with the flagger's text. Deciding sets resolved_at, resolved_by and
-- outcome: dismissed (kept, approved) or upheld (rejected, restricted). A member
-- flags a post once; reports a member once while that report is open.
CREATE TABLE flags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id      INTEGER REFERENCES posts (id),
    member_id    INTEGER NOT NULL REFERENCES users (id),
    flagger_id   INTEGER NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    duplicate_of INTEGER REFERENCES threads (id),
    created_at   DATETIME NOT NULL,
    resolved_at  DATETIME,
    resolved_by  INTEGER REFERENCES users (id),
    outcome      TEXT NOT NULL DEFAULT '',
    UNIQUE (post_id, flagger_id)
);
-- The review queue reads the open flags of posts and the open reports; the
-- author's history reads every flag on a member.
CREATE INDEX flags_open_posts ON flags (post_id) WHERE resolved_at IS NULL AND post_id IS NOT NULL;
CREATE INDEX flags_open_reports ON flags (member_id) WHERE resolved_at IS NULL AND post_id IS NULL;
CREATE UNIQUE INDEX flags_one_open_report ON flags (member_id, flagger_id) WHERE resolved_at IS NULL AND post_id IS NULL;
CREATE INDEX flags_member ON flags (member_id, outcome);

-- When a post went back to review after it was out: a hidden post waits from
-- then on, not from when it was written.
ALTER TABLE posts ADD COLUMN held_at DATETIME;

-- +goose Down
ALTER TABLE posts DROP COLUMN held_at;
DROP TABLE flags;
