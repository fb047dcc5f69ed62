// Package user owns accounts: registration and its validation rules, argon2id
// password hashes, sign-in by handle or e-mail, profiles and roles. Sessions and
// rate limits live in app/auth; nothing here knows about HTTP beyond the status
// its errors are answered with (app/problem).
package user
