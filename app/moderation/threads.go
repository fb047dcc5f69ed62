package moderation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Refusals of the actions on threads.
var (
	ErrMergeSelf   = problem.New(http.StatusUnprocessableEntity, "merge.self", "moderation: a thread cannot be merged into itself")
	ErrMergeTarget = problem.New(http.StatusUnprocessableEntity, "merge.target", "moderation: the target thread does not exist, or is deleted, hidden or merged")
	ErrMergeCycle  = problem.New(http.StatusUnprocessableEntity, "merge.cycle", "moderation: the target thread was merged into this one")
	ErrMergeSource = problem.New(http.StatusUnprocessableEntity, "merge.source", "moderation: the thread is deleted, hidden, merged or waits for review")
	ErrMoveSame    = problem.New(http.StatusUnprocessableEntity, "move.same", "moderation: the thread is in that board already")
	ErrBoard       = problem.New(http.StatusUnprocessableEntity, "thread.board.unknown", "moderation: no such board")
)

// The actions on whole threads. Each runs in one transaction: the role check,
// the thread rows locked (LockThreads, in id order), the change through
// app/thread's primitives, a notice on the thread page, an audit row and the
// event, or nothing at all when nothing changed (no event for locking a
// locked thread). Each takes an optional reason, shown to members with the
// notice.

// Move puts threadID into the board boardID.
func (s *Service) Move(ctx context.Context, mod *user.User, threadID, boardID int64, reason string) (*thread.Thread, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	var moved *thread.Thread
	err = s.onThread(ctx, mod, threadID, func(ctx context.Context, t *thread.Thread) error {
		moved = t
		if err := s.boardExists(ctx, boardID); err != nil {
			return err
		}
		if t.BoardID == boardID {
			return ErrMoveSame
		}
		from := t.BoardID
		if err := s.threads.Move(ctx, t, boardID); err != nil {
			return err
		}
		return s.record(ctx, mod, t, audit.Entry{Action: audit.MoveThread, Reason: reason, Before: boardRef(from), After: boardRef(boardID)},
			thread.Notice{Kind: thread.NoticeMoved, Reason: reason, Detail: strconv.FormatInt(from, 10)},
			event.ThreadMoved{ThreadID: t.ID, AskerID: t.AuthorID, FromBoardID: from, ToBoardID: boardID, Reason: reason})
	})
	if err != nil {
		return nil, fmt.Errorf("thread %d: move: %w", threadID, err)
	}
	return moved, nil
}

// Lock stops members answering, editing, accepting and giving kudos in threadID.
func (s *Service) Lock(ctx context.Context, mod *user.User, threadID int64, reason string) error {
	return s.setLocked(ctx, mod, threadID, true, reason)
}

// Unlock undoes Lock.
func (s *Service) Unlock(ctx context.Context, mod *user.User, threadID int64, reason string) error {
	return s.setLocked(ctx, mod, threadID, false, reason)
}

func (s *Service) setLocked(ctx context.Context, mod *user.User, threadID int64, locked bool, reason string) error {
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	err = s.onThread(ctx, mod, threadID, func(ctx context.Context, t *thread.Thread) error {
		changed, err := s.threads.SetLocked(ctx, t, locked)
		if err != nil || !changed {
			return err
		}
		e := event.ThreadLocked{ThreadID: t.ID, AskerID: t.AuthorID, Reason: reason}
		if locked {
			return s.record(ctx, mod, t, audit.Entry{Action: audit.LockThread, Reason: reason},
				thread.Notice{Kind: thread.NoticeLocked, Reason: reason}, e)
		}
		return s.record(ctx, mod, t, audit.Entry{Action: audit.UnlockThread, Reason: reason},
			thread.Notice{Kind: thread.NoticeUnlocked, Reason: reason}, event.ThreadUnlocked(e))
	})
	if err != nil {
		return fmt.Errorf("thread %d: lock: %w", threadID, err)
	}
	return nil
}

// Pin lists threadID first in its board.
func (s *Service) Pin(ctx context.Context, mod *user.User, threadID int64, reason string) error {
	return s.setPinned(ctx, mod, threadID, true, reason)
}

// Unpin undoes Pin.
func (s *Service) Unpin(ctx context.Context, mod *user.User, threadID int64, reason string) error {
	return s.setPinned(ctx, mod, threadID, false, reason)
}

func (s *Service) setPinned(ctx context.Context, mod *user.User, threadID int64, pinned bool, reason string) error {
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	err = s.onThread(ctx, mod, threadID, func(ctx context.Context, t *thread.Thread) error {
		changed, err := s.threads.SetPinned(ctx, t, pinned)
		if err != nil || !changed {
			return err
		}
		e := event.ThreadPinned{ThreadID: t.ID, BoardID: t.BoardID, Reason: reason}
		if pinned {
			return s.record(ctx, mod, t, audit.Entry{Action: audit.PinThread, Reason: reason},
				thread.Notice{Kind: thread.NoticePinned, Reason: reason}, e)
		}
		return s.record(ctx, mod, t, audit.Entry{Action: audit.UnpinThread, Reason: reason},
			thread.Notice{Kind: thread.NoticeUnpinned, Reason: reason}, event.ThreadUnpinned(e))
	})
	if err != nil {
		return fmt.Errorf("thread %d: pin: %w", threadID, err)
	}
	return nil
}

// HideThread takes threadID out of view: guests and members get not found, its
// asker sees it with the reason, staff with a mark.
func (s *Service) HideThread(ctx context.Context, mod *user.User, threadID int64, reason string) error {
	return s.setHidden(ctx, mod, threadID, true, reason)
}

// RestoreThread undoes HideThread.
func (s *Service) RestoreThread(ctx context.Context, mod *user.User, threadID int64, reason string) error {
	return s.setHidden(ctx, mod, threadID, false, reason)
}

func (s *Service) setHidden(ctx context.Context, mod *user.User, threadID int64, hidden bool, reason string) error {
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	err = s.onThread(ctx, mod, threadID, func(ctx context.Context, t *thread.Thread) error {
		if t.MergedInto != nil {
			return ErrMergeSource
		}
		changed, err := s.threads.SetHidden(ctx, mod, t, hidden)
		if err != nil || !changed {
			return err
		}
		e := event.ThreadHidden{ThreadID: t.ID, AskerID: t.AuthorID, Reason: reason}
		if hidden {
			return s.record(ctx, mod, t, audit.Entry{Action: audit.HideThread, Reason: reason},
				thread.Notice{Kind: thread.NoticeHidden, Reason: reason}, e)
		}
		return s.record(ctx, mod, t, audit.Entry{Action: audit.RestoreThread, Reason: reason},
			thread.Notice{Kind: thread.NoticeRestored, Reason: reason}, event.ThreadRestored(e))
	})
	if err != nil {
		return fmt.Errorf("thread %d: hide: %w", threadID, err)
	}
	return nil
}

// Merge moves every post of sourceID into targetID (see thread.Service.Merge)
// and returns the target. Refused: into itself, into a thread that is
// missing, deleted, hidden, waiting for review or merged itself, into one
// that was merged into the source (a cycle), and of a source that is deleted,
// merged or waits for review.
func (s *Service) Merge(ctx context.Context, mod *user.User, sourceID, targetID int64, reason string) (*thread.Thread, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	if sourceID == targetID {
		return nil, ErrMergeSelf
	}
	var merged *thread.Thread
	err = s.onThreads(ctx, mod, []int64{sourceID, targetID}, func(ctx context.Context) error {
		source, err := s.threads.Get(ctx, sourceID)
		if err != nil {
			return err
		}
		target, err := s.threads.Get(ctx, targetID)
		if errors.Is(err, thread.ErrNotFound) {
			return ErrMergeTarget
		}
		if err != nil {
			return err
		}
		if err := s.mergeable(ctx, source, target); err != nil {
			return err
		}
		// A solution the target takes over is no new acceptance: the merged
		// event says it, and nobody is told of a solution again.
		if _, err := s.threads.Merge(ctx, mod, source, target); err != nil {
			return err
		}
		merged = target
		events := []event.Event{event.ThreadMerged{ThreadID: source.ID, TargetID: target.ID, AskerID: source.AuthorID, TargetAskerID: target.AuthorID, Reason: reason}}
		if source.DuplicateOf != nil { // lends it its title no more
			events = append(events, event.AliasesChanged{ThreadID: *source.DuplicateOf})
		}
		if err := s.threads.AddNotice(ctx, thread.Notice{ThreadID: target.ID, Kind: thread.NoticeMerged, ActorID: mod.ID, Reason: reason, Detail: source.Title}); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.MergeThread, MemberID: audit.Ref(source.AuthorID), ThreadID: audit.Ref(source.ID),
			Reason: reason, Before: threadRef(source.ID), After: threadRef(target.ID)}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, mod.ID, events...)
	})
	if err != nil {
		return nil, fmt.Errorf("thread %d: merge into %d: %w", sourceID, targetID, err)
	}
	return merged, nil
}

// mergeable says why source may not be merged into target, or nil.
func (s *Service) mergeable(ctx context.Context, source, target *thread.Thread) error {
	// A hidden source would be made public by the merge: its posts, its title in
	// the notice. Restore it first, knowingly.
	if source.MergedInto != nil || source.DeletedAt != nil || source.HiddenAt != nil || source.Pending {
		return ErrMergeSource
	}
	// A target merged (into the source, or on into it) would make a cycle:
	// said as such, since it is the one refusal a moderator may not expect.
	for next, hops := target.MergedInto, 0; next != nil && hops < 20; hops++ {
		if *next == source.ID {
			return ErrMergeCycle
		}
		t, err := s.threads.Get(ctx, *next)
		if err != nil {
			break
		}
		next = t.MergedInto
	}
	if target.MergedInto != nil || target.DeletedAt != nil || target.HiddenAt != nil || target.Pending {
		return ErrMergeTarget
	}
	return nil
}

// Split moves the chosen answers postIDs of threadID (in any order) into a new
// thread titled title in the board boardID (see thread.Service.Split) and
// returns it. Choosing none, or the question, is refused.
func (s *Service) Split(ctx context.Context, mod *user.User, threadID int64, postIDs []int64, title string, boardID int64, reason string) (*thread.Thread, error) {
	title = strings.Join(strings.Fields(title), " ")
	errs := validate.Errors{}
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		errs.Add("title", "form.required")
	case n < thread.MinTitle:
		errs.Add("title", "thread.title.short")
	case n > thread.MaxTitle:
		errs.Add("title", "thread.title.long")
	}
	switch {
	case len(postIDs) == 0:
		errs.Add("posts", "split.none")
	case len(postIDs) > MaxSplit:
		errs.Add("posts", "split.too_many")
	}
	if boardID == 0 {
		errs.Add("board", "form.required")
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		errs.Add("reason", "queue.reason_long")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var split *thread.Thread
	err := s.onThread(ctx, mod, threadID, func(ctx context.Context, t *thread.Thread) error {
		if t.MergedInto != nil || t.DeletedAt != nil {
			return ErrMergeSource
		}
		if err := s.boardExists(ctx, boardID); err != nil {
			return err
		}
		for _, id := range postIDs {
			p, err := s.threads.LockPost(ctx, id)
			if errors.Is(err, thread.ErrNotFound) || err == nil && p.ThreadID != t.ID {
				return thread.ErrSplitPosts
			}
			if err != nil {
				return err
			}
			if p.IsQuestion {
				return ErrSplitQuestion
			}
		}
		n, err := s.threads.Split(ctx, mod, t, postIDs, title, boardID)
		if err != nil {
			return err
		}
		split = n
		ids := slices.Sorted(slices.Values(postIDs))
		ids = slices.Compact(ids)
		refs := make([]string, len(ids))
		for i, id := range ids {
			refs[i] = strconv.FormatInt(id, 10)
		}
		for _, n := range []thread.Notice{
			{ThreadID: t.ID, Kind: thread.NoticeSplitTo, ActorID: mod.ID, Reason: reason, Detail: strconv.FormatInt(split.ID, 10)},
			{ThreadID: split.ID, Kind: thread.NoticeSplitFrom, ActorID: mod.ID, Reason: reason, Detail: strconv.FormatInt(t.ID, 10)},
		} {
			if err := s.threads.AddNotice(ctx, n); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.SplitThread, MemberID: audit.Ref(split.AuthorID), ThreadID: audit.Ref(t.ID),
			Reason: reason, Before: "posts " + strings.Join(refs, ", "), After: threadRef(split.ID)}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, mod.ID, event.ThreadSplit{ThreadID: t.ID, NewThreadID: split.ID, PostIDs: ids, AskerID: split.AuthorID, Reason: reason})
	})
	if err != nil {
		return nil, fmt.Errorf("thread %d: split: %w", threadID, err)
	}
	return split, nil
}

// MaxSplit caps the answers one split moves: a page's worth and more, and a
// bound on the rows one request locks.
const MaxSplit = 100

// ErrSplitQuestion refuses to split off a thread's question: that is moving
// the thread.
var ErrSplitQuestion = problem.New(http.StatusUnprocessableEntity, "split.question", "moderation: the question cannot be split off")

// onThread runs change on threadID, locked, in a transaction, for a moderator.
func (s *Service) onThread(ctx context.Context, mod *user.User, threadID int64, change func(context.Context, *thread.Thread) error) error {
	return s.onThreads(ctx, mod, []int64{threadID}, func(ctx context.Context) error {
		t, err := s.threads.Get(ctx, threadID)
		if err != nil {
			return err
		}
		return change(ctx, t)
	})
}

// onThreads runs change in a transaction with the rows of ids locked, for a
// moderator.
func (s *Service) onThreads(ctx context.Context, mod *user.User, ids []int64, change func(context.Context) error) error {
	if !thread.CanModerate(mod) {
		return thread.ErrForbidden
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.threads.LockThreads(ctx, ids...); err != nil {
			return err
		}
		return change(ctx)
	})
}

// record writes what mod did to t: the notice on its page, the audit row and
// the event, in the caller's transaction.
func (s *Service) record(ctx context.Context, mod *user.User, t *thread.Thread, a audit.Entry, n thread.Notice, e event.Event) error {
	n.ThreadID, n.ActorID = t.ID, mod.ID
	if err := s.threads.AddNotice(ctx, n); err != nil {
		return err
	}
	a.ActorID, a.MemberID, a.ThreadID = mod.ID, audit.Ref(t.AuthorID), audit.Ref(t.ID)
	if err := s.audit.Record(ctx, a); err != nil {
		return err
	}
	return event.Emit(ctx, s.db, mod.ID, e)
}

// checkReason trims an action's reason and refuses an overlong one.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		errs := validate.Errors{}
		errs.Add("reason", "queue.reason_long")
		return "", errs.Err()
	}
	return reason, nil
}

// boardExists refuses a board that does not exist.
func (s *Service) boardExists(ctx context.Context, id int64) error {
	var n int64
	if err := s.db.Writer(ctx).Table("boards").Where("id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("moderation: board %d: %w", id, err)
	}
	if n == 0 {
		return ErrBoard
	}
	return nil
}

// boardRef is how the audit log names a board in its before and after.
func boardRef(id int64) string { return "board " + strconv.FormatInt(id, 10) }
