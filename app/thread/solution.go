package thread

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/user"
)

// Accept makes the answer postID the solution of its thread, replacing the one
// before. The asker, agents and moderators may.
func (s *Service) Accept(ctx context.Context, actor *user.User, postID int64) (*Thread, error) {
	var thread *Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.getPost(ctx, postID, true)
		if err != nil {
			return err
		}
		t, err := s.View(ctx, actor, p.ThreadID)
		if err != nil {
			return err
		}
		thread = t
		switch {
		case !CanAccept(actor, t):
			return ErrForbidden
		case p.DeletedAt != nil || p.Pending || t.DeletedAt != nil:
			return ErrNotFound
		case p.IsQuestion:
			return ErrNotAnswer
		case LockError(actor, t) != nil:
			return ErrLocked
		case t.SolutionPostID != nil && *t.SolutionPostID == p.ID:
			return ErrAlreadySolution
		}
		old := t.SolutionPostID
		if err := s.setSolution(ctx, actor, t, old, &p.ID); err != nil {
			return err
		}
		if old != nil {
			if err := s.solutionFacts(ctx, actor, t, *old, false); err != nil {
				return err
			}
		}
		t.SolutionPostID, t.State = &p.ID, StateSolved
		return s.solutionFacts(ctx, actor, t, p.ID, true)
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: accept: %w", postID, err)
	}
	return thread, nil
}

// Unaccept withdraws threadID's solution: the thread is open again.
func (s *Service) Unaccept(ctx context.Context, actor *user.User, threadID int64) (*Thread, error) {
	var thread *Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.View(ctx, actor, threadID)
		if err != nil {
			return err
		}
		thread = t
		switch {
		case !CanAccept(actor, t):
			return ErrForbidden
		case t.SolutionPostID == nil:
			return ErrNoSolution
		case LockError(actor, t) != nil:
			return ErrLocked
		}
		old := *t.SolutionPostID
		if err := s.setSolution(ctx, actor, t, &old, nil); err != nil {
			return err
		}
		t.SolutionPostID, t.State = nil, StateOpen
		return s.solutionFacts(ctx, actor, t, old, false)
	})
	if err != nil {
		return nil, fmt.Errorf("thread %d: withdraw solution: %w", threadID, err)
	}
	return thread, nil
}

// setSolution moves t's solution from old to new (nil = none). The UPDATE matches
// only while the solution is still old, and while the thread is not locked
// unless actor passes locks, so of two people choosing at once one wins and the
// other is told that the thread changed.
func (s *Service) setSolution(ctx context.Context, actor *user.User, t *Thread, old, new *int64) error {
	state := StateOpen
	if new != nil {
		state = StateSolved
	}
	q := "UPDATE threads SET solution_post_id = ?, state = ? WHERE id = ? AND (NOT locked OR ?) AND solution_post_id "
	args := []any{new, state, t.ID, PassesLock(actor)}
	if old == nil {
		q += "IS NULL"
	} else {
		q += "= ?"
		args = append(args, *old)
	}
	res := s.db.Writer(ctx).Exec(q, args...)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrConflict
	}
	var events []event.Event
	for _, id := range []*int64{old, new} {
		if id == nil {
			continue
		}
		author, err := s.postAuthor(ctx, *id)
		if err != nil {
			return err
		}
		e := event.SolutionAccepted{ThreadID: t.ID, PostID: *id, AuthorID: author, AskerID: t.AuthorID}
		if id == old {
			events = append(events, event.SolutionWithdrawn(e))
		} else {
			events = append(events, e)
		}
	}
	return event.Emit(ctx, s.db, actor.ID, events...)
}

// postAuthor returns who wrote the post id.
func (s *Service) postAuthor(ctx context.Context, id int64) (int64, error) {
	var author int64
	err := s.db.Writer(ctx).Table("posts").Where("id = ?", id).Select("author_id").Scan(&author).Error
	return author, err
}

// solutionFacts records that postID became (or stopped being) t's solution. An
// asker's own answer earns nothing: a solution counts when it helped someone else.
func (s *Service) solutionFacts(ctx context.Context, actor *user.User, t *Thread, postID int64, accepted bool) error {
	author, err := s.postAuthor(ctx, postID)
	if err != nil {
		return err
	}
	if author == t.AuthorID {
		return nil
	}
	solution, accept := FactSolution, FactAccept
	if !accepted {
		solution, accept = FactSolutionWithdrawn, FactAcceptWithdrawn
	}
	return s.ledger.Record(ctx,
		Fact{Kind: solution, UserID: author, ActorID: actor.ID, ThreadID: t.ID, PostID: postID, BoardID: t.BoardID},
		Fact{Kind: accept, UserID: t.AuthorID, ActorID: actor.ID, ThreadID: t.ID, PostID: postID, BoardID: t.BoardID})
}
