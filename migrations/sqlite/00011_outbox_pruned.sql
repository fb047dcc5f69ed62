-- +goose Up
-- How far the outbox has been pruned: the position of the last record removed
-- (last_id; txid stays 0 on SQLite). An index whose position lies before it may
-- have missed records and is rebuilt.
CREATE TABLE outbox_pruned (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    txid    INTEGER NOT NULL,
    last_id INTEGER NOT NULL
);

-- +goose Down
DROP TABLE outbox_pruned;
