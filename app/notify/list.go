package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// unreadCap is the most the header counts: "99+" says enough, and the count
// stays one index range however many there are.
const unreadCap = 100

// Unread returns how many notifications the member has not read, at most
// unreadCap.
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.unread.QueryRow(ctx, userID, unreadCap).Scan(&n); err != nil {
		return 0, fmt.Errorf("notify: count unread of %d: %w", userID, err)
	}
	return n, nil
}

// Item is a notification as the list shows it.
type Item struct {
	ID          int64
	Kind        string
	Actors      int
	Detail      string
	ActorName   string // "" when the system did it or the actor is gone
	ThreadTitle string // "" when the reader may no longer see the thread
	Link        string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Read        bool
}

// Page is one page of a member's notifications, newest first.
type Page struct {
	Items []Item
	Next  string // cursor of the next page, "" on the last
}

// List returns the page of viewer's notifications after cursor ("" for the
// first), limit a page.
func (s *Service) List(ctx context.Context, viewer *user.User, cursor string, limit int) (*Page, error) {
	q := s.db.Reader(ctx).Table("notifications AS n").
		Select("n.id, n.kind, n.actors, n.detail, n.thread_id, n.post_id, n.created_at, n.updated_at, n.read_at, "+
			"COALESCE(a.display_name, '') AS actor_name, COALESCE(t.title, '') AS title, COALESCE(t.slug, '') AS slug, "+
			"t.author_id, t.deleted_at, t.hidden_at, t.pending").
		Joins("LEFT JOIN users a ON a.id = n.actor_id AND a.deleted_at IS NULL").
		Joins("LEFT JOIN threads t ON t.id = n.thread_id").
		Where("n.user_id = ?", viewer.ID)
	if cursor != "" {
		before, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || before <= 0 {
			return nil, thread.ErrBadCursor
		}
		q = q.Where("n.id < ?", before)
	}
	var rows []struct {
		ID, ThreadID, PostID   int64
		Kind, Detail           string
		Actors                 int
		CreatedAt, UpdatedAt   time.Time
		ReadAt                 *time.Time
		ActorName, Title, Slug string
		AuthorID               *int64
		DeletedAt, HiddenAt    *time.Time
		Pending                *bool
	}
	if err := q.Order("n.id DESC").Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("notify: list of %d: %w", viewer.ID, err)
	}
	p := &Page{}
	if len(rows) > limit {
		rows = rows[:limit]
		p.Next = strconv.FormatInt(rows[limit-1].ID, 10)
	}
	for _, r := range rows {
		it := Item{ID: r.ID, Kind: r.Kind, Actors: r.Actors, Detail: r.Detail, ActorName: r.ActorName,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Read: r.ReadAt != nil, Link: "/notifications"}
		if r.ThreadID != 0 && r.AuthorID != nil {
			t := &thread.Thread{ID: r.ThreadID, AuthorID: *r.AuthorID, DeletedAt: r.DeletedAt, HiddenAt: r.HiddenAt, Pending: r.Pending != nil && *r.Pending}
			if thread.CanSee(viewer, t) {
				it.ThreadTitle = r.Title
				it.Link = "/t/" + strconv.FormatInt(r.ThreadID, 10) + "/" + r.Slug
				if r.PostID != 0 {
					it.Link += "#p" + strconv.FormatInt(r.PostID, 10)
				}
			}
		}
		if r.Kind == KindBadge {
			it.Link = "/badges/" + r.Detail
		}
		p.Items = append(p.Items, it)
	}
	return p, nil
}

// Open marks the member's notification read and returns where it leads.
func (s *Service) Open(ctx context.Context, viewer *user.User, id int64) (string, error) {
	var n row
	err := s.db.Reader(ctx).Where("id = ? AND user_id = ?", id, viewer.ID).Take(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("notify: open %d: %w", id, err)
	}
	if n.ReadAt == nil {
		if err := s.MarkRead(ctx, viewer.ID, id); err != nil {
			return "", err
		}
	}
	link := "/notifications"
	switch {
	case n.Kind == KindBadge:
		link = "/badges/" + n.Detail
	case n.ThreadID != 0:
		t, err := s.threads.View(ctx, viewer, n.ThreadID)
		if err == nil {
			link = "/t/" + strconv.FormatInt(t.ID, 10) + "/" + t.Slug
			if n.PostID != 0 {
				link += "#p" + strconv.FormatInt(n.PostID, 10)
			}
		}
	}
	return link, nil
}

// MarkRead marks one of the member's notifications read (id 0: all of them).
func (s *Service) MarkRead(ctx context.Context, userID, id int64) error {
	q := s.db.Writer(ctx).Table("notifications").Where("user_id = ? AND read_at IS NULL", userID)
	if id != 0 {
		q = q.Where("id = ?", id)
	}
	if err := q.Update("read_at", s.now()).Error; err != nil {
		return fmt.Errorf("notify: mark read for %d: %w", userID, err)
	}
	return nil
}
