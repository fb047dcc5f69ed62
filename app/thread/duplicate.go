package thread

import (
	"context"
	"errors"
	"fmt"

	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/user"
)

// Refusals of CloseAsDuplicate.
var (
	ErrDuplicateSelf   = errors.New("thread: a thread cannot duplicate itself")
	ErrDuplicateTarget = errors.New("thread: the canonical thread does not exist or is hidden")
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
		w := s.db.Writer(ctx)
		if err := w.Exec("UPDATE threads SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?", target.ID, t.ID, t.ID).Error; err != nil {
			return fmt.Errorf("thread %d: close as duplicate: %w", t.ID, err)
		}
		if err := s.AddAlias(ctx, target.ID, t.Title, AliasDuplicate); err != nil {
			return err
		}
		t.DuplicateOf = &target.ID
		closed = t
		return outbox.Append(ctx, s.db, outbox.Thread, t.ID, target.ID)
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
		t, err := s.Get(ctx, threadID)
		if err != nil || t.DuplicateOf == nil {
			return err
		}
		w := s.db.Writer(ctx)
		if err := w.Exec("UPDATE threads SET duplicate_of = NULL WHERE id = ?", t.ID).Error; err != nil {
			return fmt.Errorf("thread %d: reopen: %w", t.ID, err)
		}
		err = w.Exec("DELETE FROM thread_aliases WHERE thread_id = ? AND text = ? AND source = ?", *t.DuplicateOf, aliasText(t.Title), AliasDuplicate).Error
		if err != nil {
			return fmt.Errorf("thread %d: reopen: %w", t.ID, err)
		}
		return outbox.Append(ctx, s.db, outbox.Thread, t.ID, *t.DuplicateOf)
	})
}
