-- +goose Up
-- How far the outbox has been pruned: the position (txid, last_id) of the last
-- record removed. An index whose position lies before it may have missed records
-- and is rebuilt.
CREATE TABLE outbox_pruned (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    txid    xid8 NOT NULL,
    last_id BIGINT NOT NULL
);

-- +goose Down
DROP TABLE outbox_pruned;
