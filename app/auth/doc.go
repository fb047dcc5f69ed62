// Package auth keeps sign-ins and abuse limits in the database, so that several
// nodes behind a load balancer share them: sessions (only a hash of the cookie token
// is stored), fixed-window rate limits, and named server secrets such as the CSRF
// key. It runs the sign-in flows, with a password and through a single sign-on
// provider (whom a provider's profile signs in, links or lets sign up); talking to
// the providers is app/auth/sso's. Accounts, passwords and identities are app/user's.
package auth
