package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
)

// Errors of this package.
var (
	ErrInvalid  = problem.New(http.StatusBadRequest, "notify.invalid", "notify: unknown kind or delivery")
	ErrNotFound = problem.New(http.StatusNotFound, "error.not_found", "notify: no such notification")
	ErrBadLink  = problem.New(http.StatusBadRequest, "notify.bad_link", "notify: unsubscribe link not valid")
)

// Mail is one mail to one member, for app/mail's queue.
type Mail struct {
	Key         string // the same Key twice is one mail
	To          string
	Subject     string
	Text        string
	HTML        string
	Unsubscribe string // the one-click unsubscribe URL (RFC 8058)
}

// Mailer queues mails. Queue is called inside the transaction of the
// notification (ctx carries it), so a mail exists exactly when its
// notification does.
type Mailer interface {
	Enabled() bool
	Queue(ctx context.Context, m Mail) error
}

// Composer renders the mail template name in a language: its subject, plain
// text and HTML.
type Composer func(locale, name string, data any) (subject, text, html string, err error)

// Options are what a Service needs besides the database.
type Options struct {
	BaseURL string                                // links in mails
	Secret  func(context.Context) (string, error) // the key that signs unsubscribe links
	Mailer  Mailer                                // nil: no mail
	Compose Composer
	Batch   int // recipients per transaction (default 500)
	// MentionsPerDay caps the members one author's mentions notify in 24
	// hours, and MentionsPerPost those of one post.
	MentionsPerDay, MentionsPerPost int
	DefaultLocale                   string
}

// Service keeps notifications, watches and preferences, and is the event
// consumer that writes them.
type Service struct {
	db      *database.DB
	threads *thread.Service
	opts    Options
	now     func() time.Time

	keyMu sync.Mutex
	key   []byte // from opts.Secret, read once: it lives in the database, which New may not have migrated yet

	unread, watching *database.Stmt // every signed-in page's header, every watch button
}

// NewService returns a Service.
func NewService(db *database.DB, threads *thread.Service, opts Options, now func() time.Time) *Service {
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.MentionsPerPost <= 0 {
		opts.MentionsPerPost = 10
	}
	if opts.MentionsPerDay <= 0 {
		opts.MentionsPerDay = 50
	}
	if opts.DefaultLocale == "" {
		opts.DefaultLocale = "en"
	}
	return &Service{db: db, threads: threads, opts: opts, now: now,
		unread:   db.Prepare("SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = ? AND read_at IS NULL LIMIT ?) AS unread"),
		watching: db.Prepare("SELECT COUNT(*) FROM watches WHERE user_id = ? AND target = ? AND target_id = ? AND level = 'watching'")}
}

// mailOn reports whether mails are sent.
func (s *Service) mailOn() bool {
	return s.opts.Mailer != nil && s.opts.Mailer.Enabled() && s.opts.Compose != nil
}

// MailOn reports whether members can be told by mail: the preferences page
// says so when they cannot.
func (s *Service) MailOn() bool { return s.mailOn() }

// unsubscribeMAC signs (user, kind) for the unsubscribe link: the link is all
// a mail client's one-click POST brings, no session and no CSRF token.
func (s *Service) unsubscribeMAC(ctx context.Context, userID int64, kind string) (string, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key == nil {
		k, err := s.opts.Secret(ctx)
		if err != nil {
			return "", err
		}
		s.key = []byte(k)
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("unsubscribe\x00" + strconv.FormatInt(userID, 10) + "\x00" + kind))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18]), nil
}

// UnsubscribePath is the path of the link that stops mail of kind (or of the
// digest, kind "digest") to the member.
func (s *Service) UnsubscribePath(ctx context.Context, userID int64, kind string) (string, error) {
	mac, err := s.unsubscribeMAC(ctx, userID, kind)
	if err != nil {
		return "", err
	}
	return "/unsubscribe/" + strconv.FormatInt(userID, 10) + "/" + kind + "/" + mac, nil
}

// Unsubscribe stops mail of kind to the member, if mac is the link's: the kind
// is told in the forum only from now on (the digest: every kind told in it).
func (s *Service) Unsubscribe(ctx context.Context, userID int64, kind, mac string) error {
	want, err := s.unsubscribeMAC(ctx, userID, kind)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return ErrBadLink
	}
	prefs, err := s.Preferences(ctx, userID)
	if err != nil {
		return err
	}
	changes := map[string]string{}
	for k, d := range prefs {
		if (kind == DeliverDigest && d == DeliverDigest) || (k == kind && d == DeliverEmail) {
			changes[k] = DeliverApp
		}
	}
	if kind != DeliverDigest {
		if _, ok := prefs[kind]; !ok {
			return ErrBadLink
		}
	}
	return s.SetPreferences(ctx, userID, changes)
}
