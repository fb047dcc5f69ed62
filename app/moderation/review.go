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
	err := s.decideOnPost(ctx, actor, postID, func(ctx context.Context, p *thread.Post, t *thread.Thread) error {
		approved = t
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

// decideOnPost runs fn, a moderator's decision on the post postID, in one
// transaction with the post's row locked, once mod is found to be a moderator
// who may decide on its author's posts (mayDecideOn).
func (s *Service) decideOnPost(ctx context.Context, mod *user.User, postID int64, fn func(ctx context.Context, p *thread.Post, t *thread.Thread) error) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if !thread.CanModerate(mod) {
			return thread.ErrForbidden
		}
		p, t, err := s.threads.LockPostInThread(ctx, mod, postID)
		if err != nil {
			return err
		}
		if err := s.mayDecideOn(ctx, mod, p.AuthorID); err != nil {
			return err
		}
		return fn(ctx, p, t)
	})
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
