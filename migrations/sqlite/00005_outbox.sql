-- +goose Up
-- Every change that search must see, written in the same transaction as the change.
-- Each node's indexer reads it in id order and remembers how far it got.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE outbox;
