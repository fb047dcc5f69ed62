// Package moderation owns what staff do to other members' content: approving
// posts that wait for review, closing threads as duplicates and reopening them,
// moving, merging, splitting, locking, pinning and hiding whole threads,
// deleting and restoring others' posts, restricting members. Flags and bans
// belong here next. Each action checks the actor's role itself and runs in one
// transaction, built from app/thread's primitives, which join it through ctx.
// What authors do to their own posts stays in app/thread, which never imports
// this package.
package moderation
