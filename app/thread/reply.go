package thread

import (
	"context"
	"fmt"

	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Reply adds author's answer to a thread. An answer by an agent or higher is marked
// official.
func (s *Service) Reply(ctx context.Context, author *user.User, threadID int64, body string) (*Post, error) {
	errs := validate.Errors{}
	checkBody(errs, body)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	html, err := s.render(body)
	if err != nil {
		return nil, err
	}
	repeated, err := s.repeats(ctx, author, body)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &Post{ThreadID: threadID, AuthorID: author.ID, Official: author.Role.IsStaff(), Source: body, SourceSum: SourceSum(body), HTML: html, CreatedAt: now, UpdatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.View(ctx, author, threadID)
		if err != nil {
			return err
		}
		if t.DeletedAt != nil {
			return ErrNotFound
		}
		if err := LockError(author, t); err != nil {
			return err
		}
		if t.DuplicateOf != nil {
			return ErrDuplicate
		}
		held, err := s.admit(ctx, author, body, html, repeated)
		if err != nil {
			return err
		}
		pending := held != ""
		p.Pending, p.HeldReason = pending, held
		if err := s.db.Writer(ctx).Create(p).Error; err != nil {
			return err
		}
		if pending {
			return s.hold(ctx, t, p)
		}
		return s.publishAnswer(ctx, t, p)
	})
	if err != nil {
		return nil, fmt.Errorf("thread %d: reply: %w", threadID, err)
	}
	return p, nil
}
