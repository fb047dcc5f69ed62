package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
)

// Message is one mail to one recipient.
type Message struct {
	Key         string // unique: a second Enqueue with the same Key is a no-op (consumers are at-least-once)
	To          string
	Subject     string
	Text        string
	HTML        string
	Unsubscribe string // one-click unsubscribe URL (RFC 8058): sets List-Unsubscribe and List-Unsubscribe-Post; "" for transactional mail
}

// Settings say where mail goes and how hard the sender tries.
type Settings struct {
	URL  string // smtp://user:pass@host:port or smtps://…; "" = mail off
	From string // the sender, "Name <address>"

	Poll        time.Duration // how often Run looks for due mail
	Batch       int           // rows claimed at once
	Timeout     time.Duration // for one SMTP conversation
	Lease       time.Duration // how long a claim keeps other nodes off a row
	RetryMin    time.Duration // the wait after the first failure, doubled after each
	RetryMax    time.Duration // the longest wait between attempts
	MaxAttempts int           // after this many failures a mail is given up
	TLS         *tls.Config   // nil: the system's roots verify the server (tests trust their own)
}

// SettingsFrom takes the server and sender from cfg, with the sender's
// defaults.
func SettingsFrom(cfg config.Config) Settings {
	return Settings{URL: cfg.SMTPURL, From: cfg.MailFrom}
}

func (s Settings) withDefaults() Settings {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&s.Poll, time.Second)
	def(&s.Timeout, 30*time.Second)
	def(&s.RetryMin, 30*time.Second)
	def(&s.RetryMax, time.Hour)
	if s.Batch <= 0 {
		s.Batch = 10
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 12 // with the defaults, about half a day of trying
	}
	// A claim outlives the batch sent under it, one slow conversation each.
	def(&s.Lease, time.Duration(s.Batch+1)*s.Timeout)
	return s
}

// Service queues and sends mail.
type Service struct {
	db   *database.DB
	cfg  Settings
	log  *slog.Logger
	now  func() time.Time
	node string        // this sender among the nodes, in leased_by
	wake chan struct{} // an Enqueue asks Run to look now; one in a transaction not yet committed waits for the next poll
}

// NewService returns a Service. Its sender runs only in Run.
func NewService(db *database.DB, cfg Settings, log *slog.Logger, now func() time.Time) *Service {
	return &Service{db: db, cfg: cfg.withDefaults(), log: log, now: func() time.Time { return now().UTC() },
		node: rand.Text()[:12], wake: make(chan struct{}, 1)}
}

// Enabled reports whether mail is configured; without it nothing is sent.
func (s *Service) Enabled() bool { return s.cfg.URL != "" }

// queued is a row of mail_queue.
type queued struct {
	ID            int64
	DedupeKey     string
	Recipient     string
	Subject       string
	BodyText      string
	BodyHTML      string
	Headers       string
	Attempts      int
	NextAttemptAt time.Time
	LeasedBy      string
	LeasedUntil   *time.Time
	LastError     string
	SentAt        *time.Time
	FailedAt      *time.Time
	CreatedAt     time.Time
}

func (queued) TableName() string { return "mail_queue" }

// Enqueue stores m in tx (the caller's transaction, so the mail exists iff the
// change does); tx nil means its own, or the transaction ctx carries (see
// database.DB.InTx). With mail off it stores nothing.
func (s *Service) Enqueue(ctx context.Context, tx *gorm.DB, m Message) error {
	if !s.Enabled() {
		return nil
	}
	if m.Key == "" || m.To == "" || m.Subject == "" || m.Text == "" {
		return errors.New("mail: a message needs a key, a recipient, a subject and a text")
	}
	headers := map[string]string{"Auto-Submitted": "auto-generated"}
	if m.Unsubscribe != "" {
		headers["List-Unsubscribe"] = "<" + m.Unsubscribe + ">"
		headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	h, err := json.Marshal(headers)
	if err != nil {
		return err
	}
	now := s.now()
	row := queued{DedupeKey: m.Key, Recipient: m.To, Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML,
		Headers: string(h), NextAttemptAt: now, CreatedAt: now}
	own := tx == nil
	if own {
		tx = s.db.Writer(ctx)
	} else {
		tx = tx.WithContext(ctx)
	}
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("mail: enqueue %s: %w", m.Key, err)
	}
	if own {
		s.nudge()
	}
	return nil
}

// nudge makes Run look for due mail now rather than at its next poll.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Prune removes mail sent before the given time; failed mail stays for the
// operator to see.
func (s *Service) Prune(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.Writer(ctx).Exec("DELETE FROM mail_queue WHERE sent_at < ?", before.UTC())
	if res.Error != nil {
		return 0, fmt.Errorf("mail: prune: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Counts are the queue's rows by state, for the admin pages and tests.
type Counts struct{ Pending, Sent, Failed int64 }

// Counts counts the queue's rows by state.
func (s *Service) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.Reader(ctx).Raw(`SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS pending,
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent,
		COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed
		FROM mail_queue`).Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("mail: count the queue: %w", err)
	}
	return c, nil
}
