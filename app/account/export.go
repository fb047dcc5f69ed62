package account

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/upload"
)

// ErrNoMember says there is no member by that id.
var ErrNoMember = problem.New(http.StatusNotFound, "error.not_found", "account: no such member")

// FormatVersion identifies the shape of an Export; it grows when fields are
// added and changes when any is changed.
const FormatVersion = 1

// Export is everything the forum holds on one member, as JSON: what they wrote
// (with every earlier version), what they did (kudos, flags, questions asked
// while suggestions were shown), what they earned, and their images. It holds
// no secrets: not the password's hash, nor any session.
type Export struct {
	Format     int          `json:"format"`
	ExportedAt time.Time    `json:"exported_at"`
	Profile    Profile      `json:"profile"`
	Posts      []Post       `json:"posts"`
	KudosGiven []Kudos      `json:"kudos_given"`
	Flags      []Flag       `json:"flags_and_reports"`
	Asks       []AskSession `json:"ask_sessions"`
	Reputation []Point      `json:"reputation_events"`
	Badges     []Badge      `json:"badges"`
	Uploads    []Upload     `json:"uploads"`
	Identities []Identity   `json:"sign_on_accounts"`

	Notifications []Notification `json:"notifications"`
	Watches       []Watch        `json:"watches"`
	Preferences   []Preference   `json:"notification_preferences"`
}

// Notification is one thing the member was told.
type Notification struct {
	Kind      string     `json:"kind"`
	ThreadID  int64      `json:"thread_id,omitempty"`
	PostID    int64      `json:"post_id,omitempty"`
	Detail    string     `json:"detail,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Watch is a thread, board or tag the member watches (or muted).
type Watch struct {
	Target    string    `json:"target"`
	TargetID  int64     `json:"target_id"`
	Level     string    `json:"level"`
	CreatedAt time.Time `json:"created_at"`
}

// Preference is how the member chose to be told of a kind.
type Preference struct {
	Kind     string `json:"kind"`
	Delivery string `json:"delivery"`
}

// Identity is an account of theirs at a single sign-on provider.
type Identity struct {
	Provider   string    `json:"provider"`
	Subject    string    `json:"subject"`
	Email      string    `json:"email"`
	CreatedAt  time.Time `json:"connected_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

// Profile is the member's account, as they and staff see it.
type Profile struct {
	ID             int64      `json:"id"`
	Handle         string     `json:"handle"`
	DisplayName    string     `json:"display_name"`
	Email          string     `json:"email"`
	Locale         string     `json:"locale"`
	Role           string     `json:"role"`
	Reputation     int64      `json:"reputation"`
	SuspendedUntil *time.Time `json:"suspended_until,omitempty"`
	SilencedUntil  *time.Time `json:"silenced_until,omitempty"`
	SuspendReason  string     `json:"restriction_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Post is one question or answer of theirs, with its thread's title.
type Post struct {
	ID          int64      `json:"id"`
	ThreadID    int64      `json:"thread_id"`
	ThreadTitle string     `json:"thread_title"`
	Question    bool       `json:"question"`
	Source      string     `json:"markdown"`
	CreatedAt   time.Time  `json:"created_at"`
	EditedAt    *time.Time `json:"edited_at,omitempty"`
	DeletedAt   *time.Time `json:"deleted_at,omitempty"`
	Pending     bool       `json:"waiting_for_review"`
	KudosCount  int        `json:"kudos"`
	Revisions   []Revision `json:"earlier_versions" gorm:"-"`
}

// Revision is an earlier version of a post, and why it was changed.
type Revision struct {
	Title     string    `json:"title,omitempty"`
	Source    string    `json:"markdown"`
	Reason    string    `json:"reason,omitempty"`
	ByMember  bool      `json:"changed_by_the_member"`
	CreatedAt time.Time `json:"replaced_at"`
}

// Kudos is a kudos they gave.
type Kudos struct {
	PostID    int64     `json:"post_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Flag is a flag or report they filed.
type Flag struct {
	PostID    *int64    `json:"post_id,omitempty"`
	MemberID  int64     `json:"member_id"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text,omitempty"`
	Outcome   string    `json:"outcome,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// AskSession is one time they began a question, and what the suggestions did.
type AskSession struct {
	ID        string     `json:"id"`
	StartedAt time.Time  `json:"started_at"`
	Outcome   string     `json:"outcome,omitempty"`
	Events    []AskEvent `json:"events" gorm:"-"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

// AskEvent is one step of an ask session: a suggestion shown, clicked, solved.
type AskEvent struct {
	Kind      string    `json:"kind"`
	ThreadID  int64     `json:"thread_id,omitempty"`
	Query     string    `json:"query,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Point is one row of their reputation ledger.
type Point struct {
	Kind      string    `json:"kind"`
	Points    int64     `json:"points"`
	ThreadID  int64     `json:"thread_id,omitempty"`
	PostID    int64     `json:"post_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Badge is a badge they earned.
type Badge struct {
	Badge     string    `json:"badge"`
	CreatedAt time.Time `json:"granted_at"`
}

// Upload is an image they uploaded, by its public address.
type Upload struct {
	URL       string    `json:"url"`
	Bytes     int64     `json:"bytes"`
	CreatedAt time.Time `json:"created_at"`
}

// Service gathers a member's data and erases it. It removes posts through
// threads, so that counts and search follow, and records what admins do in the
// audit log.
type Service struct {
	db      *database.DB
	threads *thread.Service
	audit   *audit.Log
	now     func() time.Time
}

// NewService returns a Service.
func NewService(db *database.DB, threads *thread.Service, log *audit.Log, now func() time.Time) *Service {
	return &Service{db: db, threads: threads, audit: log, now: now}
}

// Export gathers everything held on the member id in one read transaction, so
// the parts agree with each other. Who may ask is the caller's to check: the
// member themselves, or an admin.
func (s *Service) Export(ctx context.Context, id int64) (*Export, error) {
	out := &Export{Format: FormatVersion, ExportedAt: s.now().UTC()}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r := s.db.Reader(ctx)
		if err := r.Raw(`SELECT id, handle, display_name, email, locale, role, reputation, suspended_until, silenced_until,
			suspend_reason, created_at FROM users WHERE id = ?`, id).Scan(&out.Profile).Error; err != nil {
			return err
		}
		if out.Profile.ID == 0 {
			return ErrNoMember
		}
		if err := r.Raw(`SELECT p.id, p.thread_id, t.title AS thread_title, p.is_question AS question, p.source, p.created_at,
			p.edited_at, COALESCE(p.deleted_at, t.deleted_at) AS deleted_at, p.pending, p.kudos_count
			FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.author_id = ? ORDER BY p.id`, id).Scan(&out.Posts).Error; err != nil {
			return err
		}
		byPost := make(map[int64]*Post, len(out.Posts))
		ids := make([]int64, 0, len(out.Posts))
		for i := range out.Posts {
			out.Posts[i].Revisions = []Revision{}
			byPost[out.Posts[i].ID] = &out.Posts[i]
			ids = append(ids, out.Posts[i].ID)
		}
		var revs []struct {
			Revision
			PostID   int64
			EditorID int64
		}
		if len(ids) > 0 {
			if err := r.Raw(`SELECT post_id, editor_id, title, source, reason, created_at FROM post_revisions
				WHERE post_id IN ? ORDER BY id`, ids).Scan(&revs).Error; err != nil {
				return err
			}
		}
		for _, rv := range revs {
			rv.Revision.ByMember = rv.EditorID == id
			p := byPost[rv.PostID]
			p.Revisions = append(p.Revisions, rv.Revision)
		}
		if err := r.Raw(`SELECT post_id, created_at FROM kudos WHERE user_id = ? ORDER BY created_at`, id).Scan(&out.KudosGiven).Error; err != nil {
			return err
		}
		if err := r.Raw(`SELECT post_id, member_id, kind, text, outcome, created_at FROM flags WHERE flagger_id = ? ORDER BY id`, id).
			Scan(&out.Flags).Error; err != nil {
			return err
		}
		if err := r.Raw(`SELECT id, started_at, outcome, ended_at FROM ask_sessions WHERE user_id = ? ORDER BY started_at`, id).
			Scan(&out.Asks).Error; err != nil {
			return err
		}
		bySession := make(map[string]*AskSession, len(out.Asks))
		sessions := make([]string, 0, len(out.Asks))
		for i := range out.Asks {
			out.Asks[i].Events = []AskEvent{}
			bySession[out.Asks[i].ID] = &out.Asks[i]
			sessions = append(sessions, out.Asks[i].ID)
		}
		if len(sessions) > 0 {
			var events []struct {
				AskEvent
				SessionID string
			}
			if err := r.Raw(`SELECT session_id, kind, thread_id, query, created_at FROM deflection_events WHERE session_id IN ? ORDER BY id`, sessions).
				Scan(&events).Error; err != nil {
				return err
			}
			for _, e := range events {
				bySession[e.SessionID].Events = append(bySession[e.SessionID].Events, e.AskEvent)
			}
		}
		if err := r.Raw(`SELECT kind, points, thread_id, post_id, created_at FROM reputation_events WHERE user_id = ? ORDER BY id`, id).
			Scan(&out.Reputation).Error; err != nil {
			return err
		}
		if err := r.Raw(`SELECT badge, granted_at AS created_at FROM user_badges WHERE user_id = ? ORDER BY granted_at`, id).Scan(&out.Badges).Error; err != nil {
			return err
		}
		var ups []upload.Upload
		if err := r.Where("owner_id = ?", id).Order("id").Find(&ups).Error; err != nil {
			return err
		}
		for _, u := range ups {
			out.Uploads = append(out.Uploads, Upload{URL: u.URL(), Bytes: u.Size, CreatedAt: u.CreatedAt})
		}
		if err := r.Raw(`SELECT kind, thread_id, post_id, detail, created_at, read_at FROM notifications WHERE user_id = ? ORDER BY id`, id).
			Scan(&out.Notifications).Error; err != nil {
			return err
		}
		if err := r.Raw(`SELECT target, target_id, level, created_at FROM watches WHERE user_id = ? ORDER BY created_at`, id).Scan(&out.Watches).Error; err != nil {
			return err
		}
		if err := r.Raw(`SELECT kind, delivery FROM notification_prefs WHERE user_id = ? ORDER BY kind`, id).Scan(&out.Preferences).Error; err != nil {
			return err
		}
		return r.Raw(`SELECT provider, subject, email, created_at, last_used_at FROM identities WHERE user_id = ? ORDER BY id`, id).
			Scan(&out.Identities).Error
	})
	if err != nil {
		return nil, fmt.Errorf("account %d: export: %w", id, err)
	}
	return out, nil
}
