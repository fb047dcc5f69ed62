package thread

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Errors of this package.
var (
	ErrNotFound = errors.New("thread: not found")
	ErrLocked   = errors.New("thread: locked")
)

// States a thread can be in.
const (
	StateOpen   = "open"
	StateSolved = "solved"
	StateLocked = "locked"
)

// Thread is a question and its answers.
type Thread struct {
	ID             int64
	BoardID        int64
	AuthorID       int64
	Title          string
	Slug           string
	Language       string
	State          string
	AnswerCount    int
	ViewCount      int
	CreatedAt      time.Time
	LastActivityAt time.Time
}

// Post is a thread's question body or one answer.
type Post struct {
	ID         int64
	ThreadID   int64
	AuthorID   int64
	IsQuestion bool
	Official   bool
	Source     string
	HTML       string `gorm:"column:html"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Limits on what a question may hold.
const (
	MinTitle = 10
	MaxTitle = 150
)

// Service manages threads and posts.
type Service struct {
	db     *database.DB
	markup *markup.Renderer
	now    func() time.Time
}

// NewService returns a Service.
func NewService(db *database.DB, md *markup.Renderer, now func() time.Time) *Service {
	return &Service{db: db, markup: md, now: now}
}

// Ask is a new question.
type Ask struct {
	BoardID  int64
	AuthorID int64
	Title    string
	Body     string
	Language string
}

// Create validates a question and stores the thread with its first post.
func (s *Service) Create(ctx context.Context, a Ask) (*Thread, error) {
	a.Title = strings.Join(strings.Fields(a.Title), " ")
	errs := validate.Errors{}
	switch n := utf8.RuneCountInString(a.Title); {
	case n == 0:
		errs.Add("title", "form.required")
	case n < MinTitle:
		errs.Add("title", "thread.title.short")
	case n > MaxTitle:
		errs.Add("title", "thread.title.long")
	}
	checkBody(errs, a.Body)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	html, err := s.markup.Render(a.Body)
	if err != nil {
		return nil, err
	}
	if a.Language == "" {
		a.Language = "en"
	}
	now := s.now()
	t := &Thread{BoardID: a.BoardID, AuthorID: a.AuthorID, Title: a.Title, Slug: Slugify(a.Title),
		Language: a.Language, State: StateOpen, CreatedAt: now, LastActivityAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		if err := w.Create(t).Error; err != nil {
			return err
		}
		p := &Post{ThreadID: t.ID, AuthorID: a.AuthorID, IsQuestion: true, Source: a.Body, HTML: html, CreatedAt: now, UpdatedAt: now}
		if err := w.Create(p).Error; err != nil {
			return err
		}
		return w.Exec("UPDATE boards SET thread_count = thread_count + 1 WHERE id = ?", a.BoardID).Error
	})
	if err != nil {
		return nil, fmt.Errorf("thread: create: %w", err)
	}
	return t, nil
}

func checkBody(errs validate.Errors, body string) {
	switch {
	case strings.TrimSpace(body) == "":
		errs.Add("body", "form.required")
	case len(body) > markup.MaxSource:
		errs.Add("body", "thread.body.long")
	}
}

// Reply adds an answer to a thread. official marks an answer given by staff.
func (s *Service) Reply(ctx context.Context, threadID, authorID int64, body string, official bool) (*Post, error) {
	errs := validate.Errors{}
	checkBody(errs, body)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	html, err := s.markup.Render(body)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &Post{ThreadID: threadID, AuthorID: authorID, Official: official, Source: body, HTML: html, CreatedAt: now, UpdatedAt: now}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Get(ctx, threadID)
		if err != nil {
			return err
		}
		if t.State == StateLocked {
			return ErrLocked
		}
		w := s.db.Writer(ctx)
		if err := w.Create(p).Error; err != nil {
			return err
		}
		return w.Exec("UPDATE threads SET answer_count = answer_count + 1, last_activity_at = ? WHERE id = ?", now, threadID).Error
	})
	if err != nil {
		return nil, fmt.Errorf("thread %d: reply: %w", threadID, err)
	}
	return p, nil
}

// Get loads a thread.
func (s *Service) Get(ctx context.Context, id int64) (*Thread, error) {
	var t Thread
	err := s.db.Reader(ctx).Where("id = ?", id).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("thread: get %d: %w", id, err)
	}
	return &t, nil
}

// Listed is a thread in a list, with its author's names.
type Listed struct {
	Thread
	AuthorHandle string
	AuthorName   string
}

// Latest returns up to limit threads by last activity, newest first; boardID 0
// means every board.
func (s *Service) Latest(ctx context.Context, boardID int64, limit int) ([]Listed, error) {
	q := s.db.Reader(ctx).Table("threads").
		Select("threads.*, users.handle AS author_handle, users.display_name AS author_name").
		Joins("JOIN users ON users.id = threads.author_id").
		Order("threads.last_activity_at DESC, threads.id DESC").Limit(limit)
	if boardID != 0 {
		q = q.Where("threads.board_id = ?", boardID)
	}
	var out []Listed
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("thread: latest: %w", err)
	}
	return out, nil
}

// ShownPost is a post with its author, as a thread page shows it.
type ShownPost struct {
	Post
	AuthorHandle string
	AuthorName   string
	AuthorRole   user.Role
}

// Posts returns a thread's posts in order, the question first.
func (s *Service) Posts(ctx context.Context, threadID int64) ([]ShownPost, error) {
	var out []ShownPost
	err := s.db.Reader(ctx).Table("posts").
		Select("posts.*, users.handle AS author_handle, users.display_name AS author_name, users.role AS author_role").
		Joins("JOIN users ON users.id = posts.author_id").
		Where("posts.thread_id = ?", threadID).Order("posts.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("thread %d: posts: %w", threadID, err)
	}
	return out, nil
}

// SafeHTML is the post's stored HTML for templates. It was sanitized by app/markup
// when the post was written; that is the only way HTML gets into posts.
func (p Post) SafeHTML() template.HTML { return template.HTML(p.HTML) }
