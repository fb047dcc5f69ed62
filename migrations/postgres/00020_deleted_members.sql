-- +goose Up
-- When a member deleted their account (or an admin deleted it): the row stays,
-- so that posts kept as a deleted member's, kudos and the audit log still point
-- somewhere, but it holds nothing of the person any more.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN deleted_at;
