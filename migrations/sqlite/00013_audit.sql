-- +goose Up
-- Every staff action and role change, written in the transaction of the action:
-- who (actor_id), what (action), on whom and what (member_id, thread_id, post_id),
-- why (reason) and what it changed (before, after). Rows are never changed or
-- removed: the triggers refuse it.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id   INTEGER NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,
    member_id  INTEGER REFERENCES users (id),
    thread_id  INTEGER,
    post_id    INTEGER,
    reason     TEXT NOT NULL DEFAULT '',
    before     TEXT NOT NULL DEFAULT '',
    after      TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_member ON audit_log (member_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows are never changed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log rows are never removed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
