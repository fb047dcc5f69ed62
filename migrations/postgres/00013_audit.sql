-- +goose Up
-- Every staff action and role change, written in the transaction of the action:
-- who (actor_id), what (action), on whom and what (member_id, thread_id, post_id),
-- why (reason) and what it changed (before, after). Rows are never changed or
-- removed: the trigger refuses it.
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    actor_id   BIGINT NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,
    member_id  BIGINT REFERENCES users (id),
    thread_id  BIGINT,
    post_id    BIGINT,
    reason     TEXT NOT NULL DEFAULT '',
    before     TEXT NOT NULL DEFAULT '',
    after      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_member ON audit_log (member_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- +goose StatementBegin
CREATE FUNCTION audit_log_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log rows are never changed or removed';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();

-- +goose Down
DROP TRIGGER audit_log_immutable ON audit_log;
DROP FUNCTION audit_log_immutable();
DROP TABLE audit_log;
