// Package account is what a member may ask of the forum about themselves: a
// copy of everything it holds on them (Export), as GDPR Art. 15 and 20 ask, and
// to be forgotten (Delete), as Art. 17 asks.
package account
