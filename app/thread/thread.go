package thread

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// Errors of this package, each with the status and message key it is answered with.
var (
	ErrNotFound  = problem.New(http.StatusNotFound, "error.not_found", "thread: not found")
	ErrLocked    = problem.New(http.StatusConflict, "thread.locked", "thread: locked")
	ErrDuplicate = problem.New(http.StatusConflict, "duplicate.no_answers", "thread: closed as a duplicate")
	ErrForbidden = problem.New(http.StatusForbidden, "error.forbidden", "thread: not allowed")
	ErrTooLate   = problem.New(http.StatusConflict, "delete.too_late", "thread: the time to delete has passed")

	ErrOwnPost         = problem.New(http.StatusConflict, "kudos.own", "thread: kudos on one's own post")
	ErrKudosGiven      = problem.New(http.StatusConflict, "kudos.twice", "thread: kudos already given")
	ErrNoKudos         = problem.New(http.StatusConflict, "kudos.none", "thread: no kudos to take back")
	ErrNotAnswer       = problem.New(http.StatusConflict, "solution.not_answer", "thread: only an answer can be the solution")
	ErrAlreadySolution = problem.New(http.StatusConflict, "solution.already", "thread: already the solution")
	ErrNoSolution      = problem.New(http.StatusConflict, "solution.none", "thread: no solution to withdraw")
	ErrConflict        = problem.New(http.StatusConflict, "error.conflict", "thread: changed by someone else meanwhile")
	ErrDailyLimit      = problem.New(http.StatusTooManyRequests, "post.daily_limit", "thread: daily post limit reached")
)

// States a thread can be in. Locked is not a state but a column of its own
// (Thread.Locked): a solved thread can be locked and stays solved.
const (
	StateOpen   = "open"
	StateSolved = "solved"
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
	DeletedAt      *time.Time
	DeletedBy      *int64
	SolutionPostID *int64 // the accepted answer; set exactly when State is StateSolved
	Pending        bool   // the question waits for review: only its author and moderators see it
	DuplicateOf    *int64 // closed by a moderator as a duplicate of this thread
	Locked         bool   // members may not answer, edit, accept or give kudos; staff may
	PinnedAt       *time.Time
	HiddenAt       *time.Time // hidden by staff: only its author and staff see it
	HiddenBy       *int64
	MergedInto     *int64 // merged into this thread, its address leads there; also deleted
}

// Post is a thread's question body or one answer.
type Post struct {
	ID            int64
	ThreadID      int64
	AuthorID      int64
	IsQuestion    bool
	Official      bool
	Source        string
	SourceSum     int64  // SourceSum(Source), for the repeat check
	HTML          string `gorm:"column:html"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
	EditedAt      *time.Time
	RevisionCount int
	DeletedAt     *time.Time
	DeletedBy     *int64
	KudosCount    int
	Pending       bool   // waits for review: only its author and moderators see it
	HeldReason    string // why it waited, one of the Held constants; "" if it never did
}

// SafeHTML is the post's stored HTML for templates. It was sanitized by app/markup
// when the post was written; that is the only way HTML gets into posts.
func (p Post) SafeHTML() template.HTML { return template.HTML(p.HTML) }

// Limits on what a question may hold.
const (
	MinTitle = 10
	MaxTitle = 150
)

// Service manages threads and posts.
type Service struct {
	db          *database.DB
	markup      *markup.Renderer
	now         func() time.Time
	deleteAfter time.Duration // how long authors may delete their own posts
	ledger      Ledger
	// priv and spam are set at start and again when an admin saves the
	// moderation settings, while requests read them: atomic pointers keep
	// every read a load, with no lock and no database on the thread page.
	priv atomic.Pointer[Privileges]
	spam atomic.Pointer[SpamRules]
}

// NewService returns a Service; authors may delete their own posts for deleteWindow.
func NewService(db *database.DB, md *markup.Renderer, deleteWindow time.Duration, now func() time.Time) *Service {
	s := &Service{db: db, markup: md, deleteAfter: deleteWindow, now: now, ledger: noLedger{}}
	s.priv.Store(&Privileges{})
	s.spam.Store(&SpamRules{})
	return s
}

// Get loads a thread, deleted or not; callers decide who may see a deleted one
// (see Visible).
//
// Every thread page starts here, so it is scanned by hand rather than by the ORM.
func (s *Service) Get(ctx context.Context, id int64) (*Thread, error) {
	rows, err := s.db.Reader(ctx).Raw("SELECT id, board_id, author_id, title, slug, language, state, answer_count, "+
		"view_count, created_at, last_activity_at, deleted_at, deleted_by, solution_post_id, pending, duplicate_of, "+
		"locked, pinned_at, hidden_at, hidden_by, merged_into FROM threads WHERE id = ?", id).Rows()
	if err != nil {
		return nil, fmt.Errorf("thread: get %d: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("thread: get %d: %w", id, err)
		}
		return nil, ErrNotFound
	}
	var t Thread
	err = rows.Scan(&t.ID, &t.BoardID, &t.AuthorID, &t.Title, &t.Slug, &t.Language, &t.State, &t.AnswerCount,
		&t.ViewCount, &t.CreatedAt, &t.LastActivityAt, &t.DeletedAt, &t.DeletedBy, &t.SolutionPostID, &t.Pending, &t.DuplicateOf,
		&t.Locked, &t.PinnedAt, &t.HiddenAt, &t.HiddenBy, &t.MergedInto)
	if err != nil {
		return nil, fmt.Errorf("thread: get %d: %w", id, err)
	}
	return &t, nil
}

// View loads a thread for viewer, hiding a deleted thread, or one waiting for
// review or hidden by staff, from those who may not see it: for them it does
// not exist.
func (s *Service) View(ctx context.Context, viewer *user.User, id int64) (*Thread, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(viewer, t) {
		return nil, ErrNotFound
	}
	return t, nil
}

// GetPost loads a post.
func (s *Service) GetPost(ctx context.Context, id int64) (*Post, error) {
	return s.getPost(ctx, id, false)
}

// LockPost loads a post and locks its row until the caller's transaction ends,
// so that a moderator's change and the author's happen one after the other.
func (s *Service) LockPost(ctx context.Context, id int64) (*Post, error) {
	return s.getPost(ctx, id, true)
}

// getPost loads a post; forUpdate locks its row until the transaction ends
// (PostgreSQL; SQLite transactions hold the database's one write lock already),
// so that two edits or deletes of one post happen one after the other.
func (s *Service) getPost(ctx context.Context, id int64, forUpdate bool) (*Post, error) {
	var p Post
	q := s.db.Reader(ctx)
	if forUpdate {
		q = s.db.Writer(ctx).Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", id).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("thread: get post %d: %w", id, err)
	}
	return &p, nil
}

func (s *Service) render(src string) (string, error) {
	html, err := s.markup.Render(src)
	if errors.Is(err, markup.ErrFallback) {
		return html, nil // plain text is a fine post; the author can edit it
	}
	if err != nil {
		return "", fmt.Errorf("thread: render: %w", err)
	}
	return html, nil
}

// Preview renders markdown exactly as a saved post would be rendered.
func (s *Service) Preview(src string) (template.HTML, error) {
	if len(src) > markup.MaxSource {
		src = src[:markup.MaxSource]
	}
	html, err := s.render(src)
	return template.HTML(html), err
}
