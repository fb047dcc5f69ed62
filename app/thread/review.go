package thread

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/user"
)

// Approve publishes a post that waited for review; approving a question publishes
// its thread. Only moderators may.
func (s *Service) Approve(ctx context.Context, actor *user.User, postID int64) (*Thread, error) {
	var thread *Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if !CanModerate(actor) {
			return ErrForbidden
		}
		p, err := s.getPost(ctx, postID, true)
		if err != nil {
			return err
		}
		t, err := s.Get(ctx, p.ThreadID)
		if err != nil {
			return err
		}
		thread = t
		if !p.Pending {
			return nil // approved already
		}
		w := s.db.Writer(ctx)
		res := w.Exec("UPDATE posts SET pending = FALSE WHERE id = ? AND pending", p.ID)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if p.DeletedAt != nil {
			return nil // rejected before; approving it only clears the mark
		}
		if p.IsQuestion {
			if err := w.Exec("UPDATE threads SET pending = FALSE WHERE id = ?", t.ID).Error; err != nil {
				return err
			}
			t.Pending = false
			if t.DeletedAt != nil {
				return nil
			}
			if err := s.duplicateChanged(ctx, t); err != nil {
				return err
			}
			return s.publishQuestion(ctx, t)
		}
		return s.publishAnswer(ctx, t, p)
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: approve: %w", postID, err)
	}
	return thread, nil
}

// Pending returns the ids of posts waiting for review, oldest first: the state
// the review queue is built on.
func (s *Service) Pending(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.Reader(ctx).Table("posts").Where("pending AND deleted_at IS NULL").Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("thread: pending: %w", err)
	}
	return ids, nil
}
