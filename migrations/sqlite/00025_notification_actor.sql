-- +goose Up
-- The mention limit counts one author's mention notifications of the last day
-- (app/notify): without this index, a scan of every notification.
CREATE INDEX notifications_actor ON notifications (actor_id, kind, created_at);

-- +goose Down
DROP INDEX notifications_actor;
