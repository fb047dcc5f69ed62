// Package sso talks to single sign-on providers: a generic OpenID Connect
// provider found by discovery, GitHub and Google, through goth's providers. It
// builds the authorization URL with PKCE (and a nonce for OpenID Connect),
// redeems the code, checks the ID token's signature and claims, and returns who
// signed in as a Profile. It keeps no state and knows no accounts: the browser
// carries the flow (app/web), and app/auth decides whom a Profile signs in.
package sso
