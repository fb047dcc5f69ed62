-- +goose Up
-- The public name of the image a member uploaded as their avatar (an upload's
-- <sha256>.<ext>); empty means the avatar drawn from the handle.
ALTER TABLE users ADD COLUMN avatar TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE users DROP COLUMN avatar;
