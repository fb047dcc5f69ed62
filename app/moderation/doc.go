// Package moderation owns what staff do to other members' content: the review
// queue (approving, rejecting, hiding posts), members' flags on posts and
// reports on members, closing threads as duplicates and reopening them, moving,
// merging, splitting, locking, pinning and hiding whole threads, deleting and
// restoring others' posts, suspending and silencing members; and the moderation
// settings admins change while the forum runs (the newcomer rules, spam checks
// and flag thresholds: settings.go, kept over the environment's defaults by
// settings_store.go). Each action checks the actor's role itself and runs in one
// transaction, built from app/thread's primitives, which join it through ctx.
// What authors do to their own posts stays in app/thread, which never imports
// this package.
package moderation
