-- +goose Up
-- Mail waiting to be sent, written in the transaction of the change it tells
-- of. A row is claimed by one node at a time: leased_by and leased_until say
-- who sends it and until when another node must leave it alone (a node that
-- died mid-send gives it up when the lease ends). dedupe_key makes a second
-- enqueue of the same mail a no-op, as consumers may see an event twice. A row
-- stays after it was sent or given up (failed_at, with last_error): nothing
-- disappears without a trace.
CREATE TABLE mail_queue (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key      TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    headers         TEXT NOT NULL DEFAULT '{}',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    leased_by       TEXT NOT NULL DEFAULT '',
    leased_until    DATETIME,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         DATETIME,
    failed_at       DATETIME,
    created_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX mail_queue_dedupe_key ON mail_queue (dedupe_key);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Single-use links mailed to a member (verify the address, reset the
-- password): only the SHA-256 of the token is kept, so a copy of the database
-- opens no account.
CREATE TABLE account_tokens (
    hash       TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    email      TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    created_at DATETIME NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expires_at ON account_tokens (expires_at);

-- +goose Down
DROP TABLE account_tokens;
DROP TABLE mail_queue;
