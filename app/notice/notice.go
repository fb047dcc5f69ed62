// Package notice keeps the site notices of proactive service: agents and
// moderators tell every reader of a known problem ("Outage in region X since
// 14:00, we are working on it") before they ask. A notice has a level, a start,
// an optional end at which it goes by itself, a text per language and perhaps
// the known-issue thread it links to. Every page shows the live ones; they are
// read from the database at most every few seconds per node (Live).
package notice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// Levels of a notice, from the mildest.
const (
	LevelInfo    = "info"
	LevelWarning = "warning"
	LevelOutage  = "outage"
)

// Levels lists them in the order the form offers them.
var Levels = []string{LevelInfo, LevelWarning, LevelOutage}

// MaxText bounds a notice's text in each language: a banner, not a post.
const MaxText = 500

// Errors of this package.
var (
	ErrForbidden = problem.New(http.StatusForbidden, "error.forbidden", "notice: not allowed")
	ErrNotFound  = problem.New(http.StatusNotFound, "error.not_found", "notice: no such notice")
)

// Notice is one notice.
type Notice struct {
	ID        int64
	Level     string
	TextEN    string `gorm:"column:text_en"`
	TextDE    string `gorm:"column:text_de"`
	ThreadID  *int64
	StartsAt  time.Time
	EndsAt    *time.Time
	CreatedBy int64
	CreatedAt time.Time
	EndedAt   *time.Time
	EndedBy   *int64
}

// TableName keeps GORM off the pluralised default.
func (Notice) TableName() string { return "site_notices" }

// Text is the notice in lang, or in the other language when it was not
// written in lang.
func (n Notice) Text(lang string) string {
	if lang == "de" && n.TextDE != "" || n.TextEN == "" {
		return n.TextDE
	}
	return n.TextEN
}

// LiveAt reports whether the notice shows at t.
func (n Notice) LiveAt(t time.Time) bool {
	return !n.StartsAt.After(t) && (n.EndsAt == nil || n.EndsAt.After(t)) && (n.EndedAt == nil || n.EndedAt.After(t))
}

// Draft is what staff fill in.
type Draft struct {
	Level    string
	TextEN   string
	TextDE   string
	Thread   string // a thread the notice links to: 123, #123, /t/123/slug or its URL; "" for none
	StartsAt time.Time
	EndsAt   *time.Time
}

// ParseThreadRef reads the thread a notice links to; moderation's flags take
// the same forms.
type ParseThreadRef func(ref string) (int64, bool)

// Service keeps the notices.
type Service struct {
	db      *database.DB
	threads *thread.Service
	audit   *audit.Log
	ref     ParseThreadRef
	now     func() time.Time
	ttl     time.Duration

	mu     sync.Mutex
	live   []Notice // those live or yet to start, read at readAt
	readAt time.Time
}

// NewService returns a Service; pages see a notice published on another
// node within ttl.
func NewService(db *database.DB, threads *thread.Service, log *audit.Log, ref ParseThreadRef, ttl time.Duration, now func() time.Time) *Service {
	return &Service{db: db, threads: threads, audit: log, ref: ref, ttl: ttl, now: now}
}

// mayPublish reports whether u may publish and end notices: agents and
// moderators, who hear of outages first.
func mayPublish(u *user.User) bool { return u != nil && u.Role.AtLeast(user.RoleAgent) }

// Publish stores a notice by u; bad fields are validate.Errors.
func (s *Service) Publish(ctx context.Context, u *user.User, d Draft) (*Notice, error) {
	if !mayPublish(u) {
		return nil, ErrForbidden
	}
	errs := validate.Errors{}
	d.TextEN, d.TextDE = strings.TrimSpace(d.TextEN), strings.TrimSpace(d.TextDE)
	switch {
	case d.Level != LevelInfo && d.Level != LevelWarning && d.Level != LevelOutage:
		errs.Add("level", "notice.level_invalid")
	}
	if d.TextEN == "" && d.TextDE == "" {
		errs.Add("text_en", "notice.text_required")
	}
	for field, t := range map[string]string{"text_en": d.TextEN, "text_de": d.TextDE} {
		if utf8.RuneCountInString(t) > MaxText {
			errs.Add(field, "notice.text_too_long")
		}
	}
	now := s.now()
	if d.StartsAt.IsZero() {
		d.StartsAt = now
	}
	if d.EndsAt != nil && !d.EndsAt.After(d.StartsAt) {
		errs.Add("ends_at", "notice.ends_before_start")
	} else if d.EndsAt != nil && !d.EndsAt.After(now) {
		errs.Add("ends_at", "notice.ends_in_past")
	}
	var threadID *int64
	if ref := strings.TrimSpace(d.Thread); ref != "" {
		id, ok := s.ref(ref)
		t, err := s.threads.Get(ctx, id)
		switch {
		case !ok, errors.Is(err, thread.ErrNotFound), err == nil && !thread.CanSee(nil, t):
			errs.Add("thread", "notice.thread_invalid") // readers must be able to open it
		case err != nil:
			return nil, err
		default:
			threadID = &t.ID
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	n := &Notice{Level: d.Level, TextEN: d.TextEN, TextDE: d.TextDE, ThreadID: threadID, StartsAt: d.StartsAt.UTC(),
		CreatedBy: u.ID, CreatedAt: now}
	if d.EndsAt != nil {
		end := d.EndsAt.UTC()
		n.EndsAt = &end
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Writer(ctx).Create(n).Error; err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: u.ID, Action: audit.PublishNotice, ThreadID: threadID, After: n.Level + ": " + n.Text("en")}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, u.ID, event.NoticePublished{NoticeID: n.ID, Level: n.Level, ThreadID: ptrValue(threadID),
			StartsAt: n.StartsAt, EndsAt: timeValue(n.EndsAt)})
	})
	if err != nil {
		return nil, fmt.Errorf("notice: publish: %w", err)
	}
	s.forget()
	return n, nil
}

// End ends notice id now, by u.
func (s *Service) End(ctx context.Context, u *user.User, id int64) error {
	if !mayPublish(u) {
		return ErrForbidden
	}
	now := s.now()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var n Notice
		err := s.db.Writer(ctx).Where("id = ?", id).Take(&n).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !n.LiveAt(now) && n.StartsAt.Before(now) {
			return nil // over already
		}
		if err := s.db.Writer(ctx).Model(&Notice{}).Where("id = ?", id).Updates(map[string]any{"ended_at": now, "ended_by": u.ID}).Error; err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: u.ID, Action: audit.EndNotice, ThreadID: n.ThreadID, Before: n.Level + ": " + n.Text("en")}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, u.ID, event.NoticeEnded{NoticeID: n.ID})
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("notice: end %d: %w", id, err)
	}
	s.forget()
	return err
}

// forget makes the next Live read the database: this node shows its own
// change at once.
func (s *Service) forget() {
	s.mu.Lock()
	s.readAt = time.Time{}
	s.mu.Unlock()
}

// Live returns the notices that show now, the most severe first. It reads the
// database at most once every ttl: every page asks.
func (s *Service) Live(ctx context.Context) ([]Notice, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readAt.IsZero() || now.Sub(s.readAt) >= s.ttl || now.Before(s.readAt) {
		var rows []Notice
		err := s.db.Reader(ctx).Where("ended_at IS NULL AND (ends_at IS NULL OR ends_at > ?)", now).
			Order("CASE level WHEN 'outage' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, starts_at DESC, id DESC").Limit(20).Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("notice: live: %w", err)
		}
		s.live, s.readAt = rows, now
	}
	var out []Notice
	for _, n := range s.live {
		if n.LiveAt(now) { // one that starts or ends between reads does so on time
			out = append(out, n)
		}
	}
	return out, nil
}

// Recent returns the notices for the staff page: those live or to come, and
// the last ended ones, newest first.
func (s *Service) Recent(ctx context.Context, limit int) ([]Notice, error) {
	var rows []Notice
	if err := s.db.Reader(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("notice: recent: %w", err)
	}
	return rows, nil
}

func ptrValue(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func timeValue(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
