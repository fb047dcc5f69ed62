package thread

import (
	"context"
	"fmt"
	"slices"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
)

// The state of duplicates that threads and posts keep in step with themselves.
// Closing as a duplicate and reopening are moderator actions: app/moderation
// builds them from these primitives, inside its own transaction.

// MarkDuplicate points threadID, and the threads that were closed as its
// duplicates, at canonicalID, so that no thread points to another duplicate. It
// is a step of closing as a duplicate: call it in the caller's transaction after
// LockThreads, then SyncDuplicateAliases.
func (s *Service) MarkDuplicate(ctx context.Context, threadID, canonicalID int64) error {
	if err := s.db.Writer(ctx).Exec("UPDATE threads SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?", canonicalID, threadID, threadID).Error; err != nil {
		return fmt.Errorf("thread %d: close as duplicate: %w", threadID, err)
	}
	return nil
}

// UnmarkDuplicate makes threadID a thread of its own again. It is a step of
// reopening: call it in the caller's transaction after LockThreads, then
// SyncDuplicateAliases for the canonical thread it pointed at.
func (s *Service) UnmarkDuplicate(ctx context.Context, threadID int64) error {
	if err := s.db.Writer(ctx).Exec("UPDATE threads SET duplicate_of = NULL WHERE id = ?", threadID).Error; err != nil {
		return fmt.Errorf("thread %d: reopen: %w", threadID, err)
	}
	return nil
}

// aliasLocks plus a canonical thread's id is the key of the PostgreSQL
// advisory lock that guards its duplicate aliases; the keys stay clear of
// goose's migration lock (5887940537704921958).
const aliasLocks = 1 << 62

// lockAliases serializes the transactions that rewrite the duplicate aliases
// of the threads in ids, until they end. Without it, two such transactions on
// PostgreSQL could each delete the aliases the other had not committed yet
// and insert their own: a deleted duplicate's title would outlive it. An
// advisory lock rather than the thread's row: the callers already hold rows
// of their own (an edit, the duplicate's), and closing as a duplicate locks the
// canonical row before those, so taking the row here could deadlock. SQLite
// runs one writer at a time.
func (s *Service) lockAliases(ctx context.Context, ids []int64) error {
	if s.db.Dialect != database.Postgres {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids) // the same order everywhere: no two transactions wait for each other
	for _, id := range slices.Compact(ids) {
		if err := s.db.Writer(ctx).Exec("SELECT pg_advisory_xact_lock(?)", aliasLocks+id).Error; err != nil {
			return fmt.Errorf("thread %d: lock aliases: %w", id, err)
		}
	}
	return nil
}

// LockThreads takes the rows of ids for the rest of the caller's transaction, in
// id order so that two transactions never wait for each other. PostgreSQL only:
// SQLite's writer is one transaction at a time.
func (s *Service) LockThreads(ctx context.Context, ids ...int64) error {
	if s.db.Dialect != database.Postgres {
		return nil
	}
	var locked []int64
	err := s.db.Writer(ctx).Raw("SELECT id FROM threads WHERE id IN ? ORDER BY id FOR UPDATE", ids).Scan(&locked).Error
	if err != nil {
		return fmt.Errorf("thread: lock: %w", err)
	}
	return nil
}

// duplicateChanged follows a change to what t, a question closed as a
// duplicate, lends its canonical thread: its title after an edit, or none
// once it is deleted, hidden or waits for review.
func (s *Service) duplicateChanged(ctx context.Context, t *Thread) error {
	if t.DuplicateOf == nil {
		return nil
	}
	if err := s.SyncDuplicateAliases(ctx, *t.DuplicateOf); err != nil {
		return err
	}
	return event.Emit(ctx, s.db, 0, event.AliasesChanged{ThreadID: *t.DuplicateOf})
}

// SyncDuplicateAliases makes the duplicate aliases of each canonical thread in ids
// the titles of the visible questions closed as its duplicates now: whatever
// was closed, reopened, moved along or retitled since, and however many share a
// title. Call it in the transaction that made the change. It emits no event:
// the caller emits thread.aliases_changed for each thread in ids, with its actor.
func (s *Service) SyncDuplicateAliases(ctx context.Context, ids ...int64) error {
	w := s.db.Writer(ctx)
	if err := s.lockAliases(ctx, ids); err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.Exec("DELETE FROM thread_aliases WHERE thread_id = ? AND source = ?", id, AliasDuplicate).Error; err != nil {
			return fmt.Errorf("thread %d: duplicate aliases: %w", id, err)
		}
		var titles []string
		err := w.Raw("SELECT title FROM threads WHERE duplicate_of = ? AND deleted_at IS NULL AND hidden_at IS NULL AND NOT pending ORDER BY id", id).Scan(&titles).Error
		if err != nil {
			return fmt.Errorf("thread %d: duplicate aliases: %w", id, err)
		}
		for _, title := range titles {
			if _, err := s.addAlias(ctx, id, title, AliasDuplicate); err != nil {
				return err
			}
		}
	}
	return nil
}
