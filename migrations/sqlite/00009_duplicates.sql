-- +goose Up
-- A question a moderator closed as a duplicate points to the thread that answers
-- it (never to another duplicate): search and suggestions lead there instead.
ALTER TABLE threads ADD COLUMN duplicate_of INTEGER REFERENCES threads (id) ON DELETE SET NULL;
CREATE INDEX threads_duplicate_of ON threads (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- +goose Down
DROP INDEX threads_duplicate_of;
ALTER TABLE threads DROP COLUMN duplicate_of;
