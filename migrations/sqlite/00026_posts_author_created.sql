-- +goose Up
-- The checks before a member's post is published (app/thread admit): a
-- newcomer's daily limit counts the author's posts of the last day, and the
-- repeat check looks for the same text among their recent posts. Through
-- posts_author both read every post the author ever wrote; source_sum (a hash of
-- source, 0 for posts written before it) finds the same text with one probe.
CREATE INDEX posts_author_created ON posts (author_id, created_at);
ALTER TABLE posts ADD COLUMN source_sum INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_author_sum ON posts (author_id, source_sum);

-- +goose Down
DROP INDEX posts_author_sum;
ALTER TABLE posts DROP COLUMN source_sum;
DROP INDEX posts_author_created;
