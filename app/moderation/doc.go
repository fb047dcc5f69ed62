// Package moderation owns what staff do to other members' content: approving
// posts that wait for review, closing threads as duplicates and reopening them,
// deleting and restoring others' posts, and the moderation settings admins
// change while the forum runs (the newcomer rules, spam checks and flag
// thresholds: settings.go, kept over the environment's defaults by
// settings_store.go). Flags, the review queue, bans and the audit log belong
// here next. Each action checks the actor's role itself and runs in one
// transaction, built from app/thread's primitives, which join it through ctx.
// What authors do to their own posts stays in app/thread, which never imports
// this package.
package moderation
