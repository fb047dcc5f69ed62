-- +goose Up
-- A suspended member reads but does not write until suspended_until (a date in
-- year 9999 stands for no end), told suspend_reason; a silenced member's posts
-- all wait for review until silenced_until. banned_until (no sign-in) stays.
ALTER TABLE users ADD COLUMN suspended_until TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN suspend_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN silenced_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN silenced_until;
ALTER TABLE users DROP COLUMN suspend_reason;
ALTER TABLE users DROP COLUMN suspended_until;
