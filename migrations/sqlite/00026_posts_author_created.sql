-- +goose Up
-- The checks before a member's post is published (app/thread admit) look at the
-- author's posts of the last day: the same text again, a newcomer's daily limit.
-- Through posts_author they read every post the author ever wrote.
CREATE INDEX posts_author_created ON posts (author_id, created_at);

-- +goose Down
DROP INDEX posts_author_created;
