-- +goose Up
-- The review queue shows each author's record (posts published, posts removed by
-- staff) beside every waiting post. Counted from the table, that is a row read per
-- post of the author, about 500 on the benchmark forum, for each of 50 items: this
-- index answers both counts from the index alone.
CREATE INDEX posts_author_state ON posts (author_id, pending, deleted_at, deleted_by);

-- +goose Down
DROP INDEX posts_author_state;
