// Package auth keeps sign-ins and abuse limits in the database, so that several
// nodes behind a load balancer share them: sessions (only a hash of the cookie token
// is stored), fixed-window rate limits, and named server secrets such as the CSRF
// key. Accounts and passwords are app/user's.
package auth
