-- +goose Up
-- The repeat check before a member's post is published (app/thread repeats)
-- looks for the same text among the author's posts of a day: through
-- posts_author it read every post the author ever wrote. source_sum is a hash of
-- source (0 for posts written before it), so the same text is one probe.
ALTER TABLE posts ADD COLUMN source_sum INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_author_sum ON posts (author_id, source_sum, created_at);

-- +goose Down
DROP INDEX posts_author_sum;
ALTER TABLE posts DROP COLUMN source_sum;
