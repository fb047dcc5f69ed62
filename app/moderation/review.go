package moderation

import (
	"context"
	"fmt"
	"strconv"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Approve publishes a post that waited for review; approving a question publishes
// its thread. A post hidden after it was out comes back as it was, without
// counting as new (thread.Publish). The post's open flags are dismissed: for a
// post that is shown, flagged too few times to be hidden, that is all approving
// does (keep it). Only moderators may.
func (s *Service) Approve(ctx context.Context, actor *user.User, postID int64) (*thread.Thread, error) {
	var approved *thread.Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if !thread.CanModerate(actor) {
			return thread.ErrForbidden
		}
		p, err := s.threads.LockPost(ctx, postID)
		if err != nil {
			return err
		}
		t, err := s.threads.Get(ctx, p.ThreadID)
		if err != nil {
			return err
		}
		approved = t
		if err := s.mayDecideOn(ctx, actor, p.AuthorID); err != nil {
			return err
		}
		if !p.Pending {
			if p.DeletedAt != nil || t.DeletedAt != nil {
				return nil
			}
			// Shown, and flagged too few times to hide it: keeping it
			// dismisses its flags. Without open flags it was approved already.
			n, err := s.resolveFlags(ctx, actor, p.ID, OutcomeDismissed)
			if err != nil || n == 0 {
				return err
			}
			return s.audit.Record(ctx, audit.Entry{ActorID: actor.ID, Action: audit.DismissFlags, MemberID: audit.Ref(p.AuthorID),
				ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID), After: strconv.FormatInt(n, 10)})
		}
		if p.DeletedAt != nil || t.DeletedAt != nil {
			return ErrNotWaiting // rejected meanwhile: that decision stands
		}
		published, err := s.threads.Publish(ctx, t, p)
		if err != nil {
			return err
		}
		if _, err := s.resolveFlags(ctx, actor, p.ID, OutcomeDismissed); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: actor.ID, Action: audit.ApprovePost, MemberID: audit.Ref(p.AuthorID),
			ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID)}); err != nil {
			return err
		}
		if !published {
			return nil // rejected meanwhile: only the mark went
		}
		return event.Emit(ctx, s.db, actor.ID, event.PostApproved{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID, Question: p.IsQuestion})
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: approve: %w", postID, err)
	}
	return approved, nil
}

// Pending returns the ids of posts waiting for review, oldest first: the state
// the review queue is built on.
func (s *Service) Pending(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Reader(ctx).Table("posts").Where("pending AND deleted_at IS NULL").Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("moderation: pending: %w", err)
	}
	return ids, nil
}
