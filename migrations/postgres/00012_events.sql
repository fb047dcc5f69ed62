-- +goose Up
-- The outbox becomes the stream of domain events: each record says who did it
-- (actor_id, 0 = the system), and carries a JSON payload whose shape is given by
-- (topic, version). Records written before this migration keep topic 'thread'
-- and an empty payload.
ALTER TABLE outbox ADD COLUMN actor_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE outbox ADD COLUMN payload TEXT NOT NULL DEFAULT '{}';

-- How far each consumer of the stream kept in the database has read, and which
-- node holds its lease: one node at a time reads for a consumer, so a
-- notification is not sent once by every node.
CREATE TABLE outbox_readers (
    name        TEXT PRIMARY KEY,
    txid        xid8 NOT NULL,
    last_id     BIGINT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- The nodes serving now, each with the position of its own search index: the
-- outbox is not pruned past a live node's index.
CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    host       TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,
    txid       xid8 NOT NULL,
    last_id    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE nodes;
DROP TABLE outbox_readers;
ALTER TABLE outbox DROP COLUMN payload;
ALTER TABLE outbox DROP COLUMN version;
ALTER TABLE outbox DROP COLUMN actor_id;
