package thread

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// Refusals of CloseAsDuplicate.
var (
	ErrDuplicateSelf   = problem.New(http.StatusUnprocessableEntity, "duplicate.self", "thread: a thread cannot duplicate itself")
	ErrDuplicateTarget = problem.New(http.StatusUnprocessableEntity, "duplicate.target", "thread: the canonical thread does not exist or is hidden")
)

// CloseAsDuplicate closes threadID as a duplicate of canonicalID: the thread takes
// no more answers, search leads to the canonical thread instead, and the
// duplicate's title becomes an alias of the canonical thread, so that the next
// person asking that way finds the answer. Duplicates of threadID move along, so
// that no thread points to another duplicate. Moderators only.
func (s *Service) CloseAsDuplicate(ctx context.Context, mod *user.User, threadID, canonicalID int64) (*Thread, error) {
	if !CanModerate(mod) {
		return nil, ErrForbidden
	}
	var closed *Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// Two moderators closing two threads as each other's duplicates at once
		// would make a cycle: the rows are locked first, in id order. (SQLite
		// runs one writing transaction at a time anyway.)
		if err := s.lockThreads(ctx, threadID, canonicalID); err != nil {
			return err
		}
		t, err := s.Get(ctx, threadID)
		if err != nil {
			return err
		}
		target, err := s.Get(ctx, canonicalID)
		if errors.Is(err, ErrNotFound) {
			return ErrDuplicateTarget
		}
		if err != nil {
			return err
		}
		if target.DuplicateOf != nil { // point to the end of the chain
			if target, err = s.Get(ctx, *target.DuplicateOf); err != nil {
				return ErrDuplicateTarget
			}
		}
		if target.ID == t.ID {
			return ErrDuplicateSelf
		}
		if target.DeletedAt != nil || target.Pending {
			return ErrDuplicateTarget
		}
		var affected []int64 // canonical threads whose duplicates change
		if t.DuplicateOf != nil {
			affected = append(affected, *t.DuplicateOf)
		}
		w := s.db.Writer(ctx)
		if err := w.Exec("UPDATE threads SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?", target.ID, t.ID, t.ID).Error; err != nil {
			return fmt.Errorf("thread %d: close as duplicate: %w", t.ID, err)
		}
		affected = append(affected, t.ID, target.ID)
		if err := s.syncDuplicateAliases(ctx, affected...); err != nil {
			return err
		}
		t.DuplicateOf = &target.ID
		closed = t
		return outbox.Append(ctx, s.db, outbox.Thread, append(affected, t.ID)...)
	})
	return closed, err
}

// Reopen undoes CloseAsDuplicate: the thread takes answers again and is found as
// itself; the alias it gave the canonical thread is taken back. Moderators only.
func (s *Service) Reopen(ctx context.Context, mod *user.User, threadID int64) error {
	if !CanModerate(mod) {
		return ErrForbidden
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockThreads(ctx, threadID); err != nil {
			return err
		}
		t, err := s.Get(ctx, threadID)
		if err != nil || t.DuplicateOf == nil {
			return err
		}
		w := s.db.Writer(ctx)
		if err := w.Exec("UPDATE threads SET duplicate_of = NULL WHERE id = ?", t.ID).Error; err != nil {
			return fmt.Errorf("thread %d: reopen: %w", t.ID, err)
		}
		if err := s.syncDuplicateAliases(ctx, *t.DuplicateOf); err != nil {
			return err
		}
		return outbox.Append(ctx, s.db, outbox.Thread, t.ID, *t.DuplicateOf)
	})
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
// of their own (an edit, the duplicate's), and Close locks the canonical row
// before those, so taking the row here could deadlock. SQLite runs one writer
// at a time.
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

// lockThreads takes the rows of ids for the rest of the transaction, in id order
// so that two transactions never wait for each other. PostgreSQL only: SQLite's
// writer is one transaction at a time.
func (s *Service) lockThreads(ctx context.Context, ids ...int64) error {
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
// once it is deleted or waits for review.
func (s *Service) duplicateChanged(ctx context.Context, t *Thread) error {
	if t.DuplicateOf == nil {
		return nil
	}
	if err := s.syncDuplicateAliases(ctx, *t.DuplicateOf); err != nil {
		return err
	}
	return outbox.Append(ctx, s.db, outbox.Thread, *t.DuplicateOf)
}

// syncDuplicateAliases makes the duplicate aliases of each canonical thread in ids
// the titles of the visible questions closed as its duplicates now: whatever
// was closed, reopened, moved along or retitled since, and however many share a
// title.
func (s *Service) syncDuplicateAliases(ctx context.Context, ids ...int64) error {
	w := s.db.Writer(ctx)
	if err := s.lockAliases(ctx, ids); err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.Exec("DELETE FROM thread_aliases WHERE thread_id = ? AND source = ?", id, AliasDuplicate).Error; err != nil {
			return fmt.Errorf("thread %d: duplicate aliases: %w", id, err)
		}
		var titles []string
		err := w.Raw("SELECT title FROM threads WHERE duplicate_of = ? AND deleted_at IS NULL AND NOT pending ORDER BY id", id).Scan(&titles).Error
		if err != nil {
			return fmt.Errorf("thread %d: duplicate aliases: %w", id, err)
		}
		for _, title := range titles {
			if err := s.AddAlias(ctx, id, title, AliasDuplicate); err != nil {
				return err
			}
		}
	}
	return nil
}
