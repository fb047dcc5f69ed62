// Package user owns accounts: registration and its validation rules, argon2id
// password hashes, sign-in by handle or e-mail, identities at single sign-on
// providers, profiles and roles. Sessions, rate limits and the sign-in flows live
// in app/auth; nothing here knows about HTTP beyond the status its errors are
// answered with (app/problem).
package user
