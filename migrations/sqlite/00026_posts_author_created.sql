-- +goose Up
-- A newcomer's daily limit counts the author's posts of the last day (app/thread
-- admit); through posts_author it read every post the author ever wrote.
CREATE INDEX posts_author_created ON posts (author_id, created_at);

-- +goose Down
DROP INDEX posts_author_created;
