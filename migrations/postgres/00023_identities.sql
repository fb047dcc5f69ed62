-- +goose Up
-- Accounts at single sign-on providers (OpenID Connect, GitHub, Google) that
-- sign a member in. A provider's subject is its stable id of the person; the
-- e-mail is what the provider said at the last sign-in, kept for the member's
-- settings page. A member without a password (password_hash '') signs in only
-- through these.
CREATE TABLE identities (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ NOT NULL,
    UNIQUE (provider, subject)
);
CREATE INDEX identities_user_id ON identities (user_id);

-- +goose Down
DROP TABLE identities;
