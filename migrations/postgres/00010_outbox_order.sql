-- +goose Up
-- The transaction that wrote each outbox row. Ids are taken at insert time, but
-- transactions commit in any order, so a reader going by id alone can pass a row
-- that commits later. Readers go by (txid, id) instead, and only up to the oldest
-- transaction still running (see app/outbox). Rows already here get the id of
-- this migration's transaction: they keep their id order.
ALTER TABLE outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_txid_id ON outbox (txid, id);

-- +goose Down
DROP INDEX outbox_txid_id;
ALTER TABLE outbox DROP COLUMN txid;
