package thread

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/user"
)

// Delete hides the author's own post, within the delete window (CanDelete).
// Deleting the question deletes the whole thread. Nothing is removed from the
// database: Restore brings it back. Others' posts only staff delete, through
// app/moderation.
func (s *Service) Delete(ctx context.Context, actor *user.User, postID int64) (*Thread, error) {
	var thread *Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, t, err := s.LockPostInThread(ctx, actor, postID)
		if err != nil {
			return err
		}
		thread = t
		if p.DeletedAt != nil || (p.IsQuestion && t.DeletedAt != nil) {
			return nil // already deleted
		}
		if actor.ID != p.AuthorID {
			return ErrForbidden
		}
		if err := CanDelete(actor, t, p, s.now(), s.deleteAfter); err != nil {
			return err
		}
		return s.SetDeleted(ctx, actor, t, p, true, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: delete: %w", postID, err)
	}
	return thread, nil
}

// Restore undoes an author's own Delete, while they could still delete the post.
// What someone else deleted only staff restore, through app/moderation.
func (s *Service) Restore(ctx context.Context, actor *user.User, postID int64) (*Thread, error) {
	var thread *Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, t, err := s.LockPostInThread(ctx, actor, postID)
		if err != nil {
			return err
		}
		thread = t
		if actor.ID != p.AuthorID {
			return ErrForbidden // also for a post not deleted: only its author may ask
		}
		deletedBy := DeletedBy(t, p)
		if deletedBy == nil {
			return nil // not deleted
		}
		if *deletedBy != actor.ID {
			return ErrForbidden
		}
		if err := CanDelete(actor, t, p, s.now(), s.deleteAfter); err != nil {
			return err
		}
		return s.SetDeleted(ctx, actor, t, p, false, deletedBy)
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: restore: %w", postID, err)
	}
	return thread, nil
}

// DeletedBy returns who deleted p, or nil while it is not deleted: for the
// question that is who deleted its thread t.
func DeletedBy(t *Thread, p *Post) *int64 {
	if p.IsQuestion {
		return t.DeletedBy
	}
	return p.DeletedBy
}

// LockPostInThread locks post postID until the caller's transaction ends (see
// LockPost) and loads its thread, for actor to change: a deleted post or thread
// is not found but by moderators and its author, who may find it again to
// restore it.
func (s *Service) LockPostInThread(ctx context.Context, actor *user.User, postID int64) (*Post, *Thread, error) {
	p, err := s.getPost(ctx, postID, true)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.Get(ctx, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	if actor == nil || ((t.DeletedAt != nil || p.DeletedAt != nil) && !CanModerate(actor) && actor.ID != p.AuthorID) {
		return nil, nil, ErrNotFound
	}
	return p, t, nil
}

// SetDeleted deletes or restores p in t for actor, who is allowed to: it flips the
// deleted state and the counters that depend on it, and records the facts of a
// post hidden by someone else, all in the caller's transaction, with p locked by
// LockPostInThread. The UPDATE only matches a row in the other state, and the
// counters move only when it did, so two deletes racing each other count once.
// Restoring passes who deleted the post (DeletedBy): a moderator hiding
// someone's post costs the author reputation, and restoring it gives that back.
func (s *Service) SetDeleted(ctx context.Context, actor *user.User, t *Thread, p *Post, deleted bool, deletedBy *int64) error {
	w := s.db.Writer(ctx)
	var at, by any // NULL when restoring
	delta, was := 1, "IS NOT NULL"
	if deleted {
		at, by, delta, was = s.now(), actor.ID, -1, "IS NULL"
	}
	table, id := "posts", p.ID
	if p.IsQuestion {
		table, id = "threads", t.ID
	}
	res := w.Exec("UPDATE "+table+" SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at "+was, at, by, id)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	var e event.Event = event.PostDeleted{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID, Question: p.IsQuestion}
	if !deleted {
		e = event.PostRestored(e.(event.PostDeleted))
	}
	if err := event.Emit(ctx, s.db, actor.ID, e); err != nil {
		return err
	}
	if p.IsQuestion {
		if err := s.duplicateChanged(ctx, t); err != nil {
			return err
		}
	}
	if deleted && t.SolutionPostID != nil && *t.SolutionPostID == p.ID {
		// A deleted answer cannot be the solution: the thread is open again.
		if err := s.setSolution(ctx, actor, t, t.SolutionPostID, nil); err != nil {
			return err
		}
		if err := s.solutionFacts(ctx, actor, t, p.ID, false); err != nil {
			return err
		}
	}
	fact := Fact{Kind: FactHidden, UserID: p.AuthorID, ActorID: actor.ID, ThreadID: t.ID, PostID: p.ID, BoardID: t.BoardID}
	switch {
	case deleted && actor.ID != p.AuthorID:
	case !deleted && deletedBy != nil && *deletedBy != p.AuthorID:
		fact.Kind = FactUnhidden
	default:
		fact.Kind = ""
	}
	if fact.Kind != "" {
		if err := s.ledger.Record(ctx, fact); err != nil {
			return err
		}
	}
	if p.Pending {
		return nil // never counted
	}
	if p.IsQuestion {
		if t.HiddenAt != nil {
			return nil // hiding took it out of the counts already
		}
		if err := w.Exec("UPDATE boards SET thread_count = thread_count + ? WHERE id = ?", delta, t.BoardID).Error; err != nil {
			return err
		}
		return w.Exec("UPDATE tags SET thread_count = thread_count + ? WHERE id IN (SELECT tag_id FROM thread_tags WHERE thread_id = ?)", delta, t.ID).Error
	}
	return w.Exec("UPDATE threads SET answer_count = answer_count + ? WHERE id = ?", delta, t.ID).Error
}
