package moderation

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Delete hides anyone's post, at any time, as a moderator; hiding someone
// else's post costs them reputation until it is restored. Deleting the question
// deletes the whole thread. A member gets what thread.Service.Delete tells them
// about others' posts: not found for a deleted one, forbidden otherwise; their
// own posts they delete through app/thread.
func (s *Service) Delete(ctx context.Context, mod *user.User, postID int64) (*thread.Thread, error) {
	t, err := s.setDeleted(ctx, mod, postID, true)
	if err != nil {
		return nil, fmt.Errorf("post %d: delete: %w", postID, err)
	}
	return t, nil
}

// Restore brings back a deleted post, whoever deleted it, as a moderator; a
// post another moderator hid gives its author the reputation back.
func (s *Service) Restore(ctx context.Context, mod *user.User, postID int64) (*thread.Thread, error) {
	t, err := s.setDeleted(ctx, mod, postID, false)
	if err != nil {
		return nil, fmt.Errorf("post %d: restore: %w", postID, err)
	}
	return t, nil
}

// setDeleted deletes or restores postID as the moderator mod, audited, in one
// transaction; a post already so changes nothing.
func (s *Service) setDeleted(ctx context.Context, mod *user.User, postID int64, deleted bool) (*thread.Thread, error) {
	var changed *thread.Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, t, err := s.threads.LockPostInThread(ctx, mod, postID)
		if err != nil {
			return err
		}
		if !thread.CanModerate(mod) {
			return thread.ErrForbidden
		}
		changed = t
		deletedBy := thread.DeletedBy(t, p)
		if (deletedBy != nil) == deleted {
			return nil // deleted, or not deleted, already
		}
		action := audit.RestorePost
		if deleted {
			action = audit.DeletePost
		}
		if err := s.threads.SetDeleted(ctx, mod, t, p, deleted, deletedBy); err != nil {
			return err
		}
		if deleted { // a flagged post a moderator deletes was rightly flagged
			if _, err := s.resolveFlags(ctx, mod, p.ID, OutcomeUpheld); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: action, MemberID: audit.Ref(p.AuthorID),
			ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID)})
	})
	return changed, err
}
