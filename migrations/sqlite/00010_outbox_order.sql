-- +goose Up
-- Nothing to change on SQLite. On PostgreSQL this version records the transaction
-- of each outbox row, because ids there can commit out of order; SQLite's single
-- writer connection commits them in order, and readers keep going by id.
SELECT 1;

-- +goose Down
SELECT 1;
