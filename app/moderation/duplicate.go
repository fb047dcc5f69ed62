package moderation

import (
	"context"
	"errors"
	"strconv"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// CloseAsDuplicate closes threadID as a duplicate of canonicalID: the thread takes
// no more answers, search leads to the canonical thread instead, and the
// duplicate's title becomes an alias of the canonical thread, so that the next
// person asking that way finds the answer. Duplicates of threadID move along, so
// that no thread points to another duplicate. Moderators only.
func (s *Service) CloseAsDuplicate(ctx context.Context, mod *user.User, threadID, canonicalID int64) (*thread.Thread, error) {
	if !thread.CanModerate(mod) {
		return nil, thread.ErrForbidden
	}
	var closed *thread.Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// Two moderators closing two threads as each other's duplicates at once
		// would make a cycle: the rows are locked first, in id order. (SQLite
		// runs one writing transaction at a time anyway.)
		if err := s.threads.LockThreads(ctx, threadID, canonicalID); err != nil {
			return err
		}
		t, err := s.threads.Get(ctx, threadID)
		if err != nil {
			return err
		}
		target, err := s.threads.Get(ctx, canonicalID)
		if errors.Is(err, thread.ErrNotFound) {
			return ErrDuplicateTarget
		}
		if err != nil {
			return err
		}
		if target.DuplicateOf != nil { // point to the end of the chain
			if target, err = s.threads.Get(ctx, *target.DuplicateOf); err != nil {
				return ErrDuplicateTarget
			}
		}
		if target.ID == t.ID {
			return ErrDuplicateSelf
		}
		if target.DeletedAt != nil || target.Pending {
			return ErrDuplicateTarget
		}
		if t.DuplicateOf != nil && *t.DuplicateOf == target.ID {
			closed = t // closed so already: nothing changes, nobody is told again
			return nil
		}
		var affected []int64 // canonical threads whose duplicates change
		before := ""
		if t.DuplicateOf != nil {
			affected = append(affected, *t.DuplicateOf)
			before = threadRef(*t.DuplicateOf)
		}
		if err := s.threads.MarkDuplicate(ctx, t.ID, target.ID); err != nil {
			return err
		}
		affected = append(affected, t.ID, target.ID)
		if err := s.threads.SyncDuplicateAliases(ctx, affected...); err != nil {
			return err
		}
		events := []event.Event{event.DuplicateClosed{ThreadID: t.ID, CanonicalID: target.ID, AskerID: t.AuthorID}}
		for _, id := range affected {
			if id != t.ID {
				events = append(events, event.AliasesChanged{ThreadID: id})
			}
		}
		t.DuplicateOf = &target.ID
		closed = t
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.CloseAsDuplicate, MemberID: audit.Ref(t.AuthorID),
			ThreadID: audit.Ref(t.ID), Before: before, After: threadRef(target.ID)}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, mod.ID, events...)
	})
	return closed, err
}

// Reopen undoes CloseAsDuplicate: the thread takes answers again and is found as
// itself; the alias it gave the canonical thread is taken back. Moderators only.
func (s *Service) Reopen(ctx context.Context, mod *user.User, threadID int64) error {
	if !thread.CanModerate(mod) {
		return thread.ErrForbidden
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.threads.LockThreads(ctx, threadID); err != nil {
			return err
		}
		t, err := s.threads.Get(ctx, threadID)
		if err != nil || t.DuplicateOf == nil {
			return err
		}
		if err := s.threads.UnmarkDuplicate(ctx, t.ID); err != nil {
			return err
		}
		if err := s.threads.SyncDuplicateAliases(ctx, *t.DuplicateOf); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.Reopen, MemberID: audit.Ref(t.AuthorID),
			ThreadID: audit.Ref(t.ID), Before: threadRef(*t.DuplicateOf)}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, mod.ID, event.Reopened{ThreadID: t.ID, CanonicalID: *t.DuplicateOf, AskerID: t.AuthorID},
			event.AliasesChanged{ThreadID: *t.DuplicateOf})
	})
}

// threadRef is how the audit log names a thread in its before and after.
func threadRef(id int64) string { return "#" + strconv.FormatInt(id, 10) }
