package moderation

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// MaxReason caps the reason a moderator gives for a rejection.
const MaxReason = 500

// ErrNotWaiting says the post is no longer waiting for review: another
// moderator approved or rejected it meanwhile.
var ErrNotWaiting = problem.New(http.StatusConflict, "queue.not_waiting", "moderation: the post is no longer waiting for review")

// Item is one post waiting for review, with what a moderator needs to decide
// without opening the thread.
type Item struct {
	PostID     int64
	ThreadID   int64
	Title      string
	Question   bool
	HTML       string // rendered and sanitized on write
	HeldReason string // why it waits (thread.Held…); "" for posts held before reasons were kept
	CreatedAt  time.Time
	AuthorID   int64
	Handle     string
	Reputation int64
	JoinedAt   time.Time
	Published  int // the author's posts out of review so far
	Rejected   int // the author's posts rejected or deleted by staff
}

// SafeHTML is the post's stored HTML for templates (see thread.Post.SafeHTML).
func (i Item) SafeHTML() template.HTML { return template.HTML(i.HTML) }

// Queue returns up to limit posts waiting for review, oldest first, after the
// post id after (keyset pages). Moderators only.
func (s *Service) Queue(ctx context.Context, mod *user.User, after int64, limit int) ([]Item, error) {
	if !thread.CanModerate(mod) {
		return nil, thread.ErrForbidden
	}
	var items []Item
	err := s.db.Reader(ctx).Raw(`SELECT p.id AS post_id, p.thread_id, t.title, p.is_question AS question, p.html, p.held_reason, p.created_at,
			u.id AS author_id, u.handle, u.reputation, u.created_at AS joined_at,
			(SELECT COUNT(*) FROM posts o WHERE o.author_id = u.id AND NOT o.pending AND o.deleted_at IS NULL) AS published,
			(SELECT COUNT(*) FROM posts o WHERE o.author_id = u.id AND o.deleted_by IS NOT NULL AND o.deleted_by <> u.id) AS rejected
		FROM posts p JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id
		WHERE p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL AND p.id > ?
		ORDER BY p.id LIMIT ?`, after, limit).Scan(&items).Error
	if err != nil {
		return nil, fmt.Errorf("moderation: queue: %w", err)
	}
	return items, nil
}

// Waiting returns how many posts wait for review, for the moderators' header.
func (s *Service) Waiting(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Reader(ctx).Raw(`SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id
		WHERE p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL`).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("moderation: waiting: %w", err)
	}
	return n, nil
}

// Reject turns down a post that waits for review, with a reason its author is
// told (post.rejected): the post is deleted, as a moderator's delete, and never
// counted; rejecting the question takes its thread. Of two moderators deciding
// on one post at once, the second is told it is no longer waiting.
func (s *Service) Reject(ctx context.Context, mod *user.User, postID int64, reason string) (*thread.Thread, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		return nil, validate.Errors{"reason": "queue.reason_long"}
	}
	var rejected *thread.Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if !thread.CanModerate(mod) {
			return thread.ErrForbidden
		}
		p, t, err := s.threads.LockPostInThread(ctx, mod, postID)
		if err != nil {
			return err
		}
		rejected = t
		if !p.Pending || p.DeletedAt != nil || t.DeletedAt != nil {
			return ErrNotWaiting
		}
		if err := s.threads.SetDeleted(ctx, mod, t, p, true, nil); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.RejectPost, MemberID: audit.Ref(p.AuthorID),
			ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID), Reason: reason}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, mod.ID, event.PostRejected{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID, Question: p.IsQuestion, Reason: reason})
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: reject: %w", postID, err)
	}
	return rejected, nil
}
