package thread

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/user"
)

// GiveKudos records actor's kudos for postID: once per member and post, never for
// one's own post. It returns the post's thread and its new number of kudos.
func (s *Service) GiveKudos(ctx context.Context, actor *user.User, postID int64) (*Thread, int, error) {
	return s.kudos(ctx, actor, postID, true)
}

// TakeKudos takes actor's kudos for postID back.
func (s *Service) TakeKudos(ctx context.Context, actor *user.User, postID int64) (*Thread, int, error) {
	return s.kudos(ctx, actor, postID, false)
}

func (s *Service) kudos(ctx context.Context, actor *user.User, postID int64, give bool) (*Thread, int, error) {
	var thread *Thread
	var count int
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.GetPost(ctx, postID)
		if err != nil {
			return err
		}
		t, err := s.View(ctx, actor, p.ThreadID)
		if err != nil {
			return err
		}
		thread = t
		if err := KudosError(actor, p); err != nil {
			return err
		}
		if err := s.mayWrite(actor); err != nil {
			return err
		}
		if t.DeletedAt != nil {
			return ErrNotFound
		}
		if err := LockError(actor, t); err != nil {
			return err
		}
		w := s.db.Writer(ctx)
		// The primary key (post, member) decides: of two identical requests racing,
		// exactly one inserts (or deletes) a row, and only that one counts.
		q, args, delta, kind, none := "DELETE FROM kudos WHERE post_id = ? AND user_id = ?", []any{p.ID, actor.ID}, -1, FactKudosWithdrawn, ErrNoKudos
		if give {
			q, args, delta, kind, none = "INSERT INTO kudos (post_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				[]any{p.ID, actor.ID, s.now()}, 1, FactKudos, ErrKudosGiven
		}
		res := w.Exec(q, args...)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return none
		}
		if err := w.Raw("UPDATE posts SET kudos_count = kudos_count + ? WHERE id = ? RETURNING kudos_count", delta, p.ID).
			Scan(&count).Error; err != nil {
			return err
		}
		err = s.ledger.Record(ctx, Fact{Kind: kind, UserID: p.AuthorID, ActorID: actor.ID, ThreadID: t.ID, PostID: p.ID, BoardID: t.BoardID})
		if err != nil {
			return err
		}
		var e event.Event = event.KudosGiven{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID}
		if !give {
			e = event.KudosWithdrawn(e.(event.KudosGiven))
		}
		return event.Emit(ctx, s.db, actor.ID, e)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("post %d: kudos: %w", postID, err)
	}
	return thread, count, nil
}

// KudosGiven returns which of postIDs viewer has given kudos to.
func (s *Service) KudosGiven(ctx context.Context, viewer *user.User, postIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if viewer == nil || len(postIDs) == 0 {
		return out, nil
	}
	var ids []int64
	err := s.db.Reader(ctx).Table("kudos").Where("user_id = ? AND post_id IN ?", viewer.ID, postIDs).Pluck("post_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("thread: kudos given: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Involved lists the members a page of thread threadID shows something of
// their own to: whoever wrote in the thread (their posts waiting for review,
// their edit and delete buttons, the asker's accept buttons, notices for the
// author) and whoever gave kudos to one of posts. The others of a role see the
// same page.
func (s *Service) Involved(ctx context.Context, threadID int64, posts []int64) ([]int64, error) {
	q, args := "SELECT author_id FROM posts WHERE thread_id = ?", []any{threadID}
	if len(posts) > 0 {
		q += " UNION SELECT user_id FROM kudos WHERE post_id IN ?"
		args = append(args, posts)
	}
	var ids []int64
	if err := s.db.Reader(ctx).Raw(q, args...).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("thread %d: involved members: %w", threadID, err)
	}
	return ids, nil
}
