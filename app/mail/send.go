package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/schwarm/schwarm/app/database"
)

// Run sends what is due until ctx ends (every node runs it). With mail off it
// returns at once.
func (s *Service) Run(ctx context.Context) {
	if !s.Enabled() {
		return
	}
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		for {
			n, err := s.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("send mail", "err", err)
			}
			if err != nil || n < s.cfg.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// SendDue claims up to one batch of due mail, sends it in one SMTP
// conversation and records the outcome of each; it returns how many it
// claimed. Run calls it; tests call it to send without waiting for a poll.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	rows, until, err := s.claim(ctx)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	// Outcomes are written even when ctx ends mid-batch: a mail handed to the
	// server must not stay claimed and go out again after the lease.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	client, err := s.client()
	if err == nil {
		dctx, dcancel := context.WithTimeout(ctx, s.cfg.Timeout)
		err = client.DialWithContext(dctx)
		dcancel()
	}
	if err != nil {
		for _, r := range rows {
			s.record(wctx, r, err)
		}
		return len(rows), fmt.Errorf("mail: connect: %w", err)
	}
	defer client.Close()
	for i, r := range rows {
		// A conversation that could end after the lease would race the next
		// claimer: give the rest back instead.
		if ctx.Err() != nil || !s.now().Add(s.cfg.Timeout).Before(until) {
			s.release(wctx, rows[i:])
			break
		}
		msg, err := s.message(r)
		if err == nil {
			err = client.Send(msg)
		}
		s.record(wctx, r, err)
		if err != nil && client.Reset() != nil {
			// The conversation is broken: the rest wait for the next round.
			s.release(wctx, rows[i+1:])
			break
		}
	}
	return len(rows), nil
}

// claim leases due rows to this node. On PostgreSQL the rows are chosen FOR
// UPDATE SKIP LOCKED, so two nodes claiming at once take different rows, and
// the lease is checked again on the row as updated; SQLite has one writer, and
// the statement runs alone.
func (s *Service) claim(ctx context.Context) ([]queued, time.Time, error) {
	now := s.now()
	until := now.Add(s.cfg.Lease)
	lock := ""
	if s.db.Dialect == database.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var rows []queued
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		return s.db.Writer(ctx).Raw(`UPDATE mail_queue SET leased_by = ?, leased_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_queue
				WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
			AND (leased_until IS NULL OR leased_until <= ?)
			RETURNING id, dedupe_key, recipient, subject, body_text, body_html, headers, attempts`,
			s.node, until, now, now, s.cfg.Batch, now).Scan(&rows).Error
	})
	if err != nil {
		return nil, until, fmt.Errorf("mail: claim: %w", err)
	}
	return rows, until, nil
}

// record writes the outcome of one attempt: sent, due again after a backoff,
// or given up after MaxAttempts or a permanent refusal, with the error kept.
func (s *Service) record(ctx context.Context, r queued, sendErr error) {
	now := s.now()
	cols := map[string]any{"leased_by": "", "leased_until": nil}
	switch {
	case sendErr == nil:
		cols["sent_at"], cols["last_error"] = now, ""
	case r.Attempts >= s.cfg.MaxAttempts || permanent(sendErr):
		cols["failed_at"], cols["last_error"] = now, cut(sendErr.Error(), 1000)
		s.log.Warn("mail given up", "id", r.ID, "attempts", r.Attempts, "err", sendErr)
	default:
		cols["next_attempt_at"], cols["last_error"] = now.Add(s.backoff(r.Attempts)), cut(sendErr.Error(), 1000)
	}
	err := s.db.Writer(ctx).Table("mail_queue").Where("id = ? AND leased_by = ?", r.ID, s.node).Updates(cols).Error
	if err != nil {
		// The row stays leased and is sent again when the lease ends.
		s.log.Warn("record a mail's outcome", "id", r.ID, "sent", sendErr == nil, "err", err)
	}
}

// release gives rows back unsent and without counting the attempt.
func (s *Service) release(ctx context.Context, rows []queued) {
	for _, r := range rows {
		err := s.db.Writer(ctx).Table("mail_queue").Where("id = ? AND leased_by = ?", r.ID, s.node).
			Updates(map[string]any{"leased_by": "", "leased_until": nil, "attempts": r.Attempts - 1}).Error
		if err != nil {
			s.log.Warn("release a mail", "id", r.ID, "err", err)
		}
	}
}

// backoff is the wait after the attempts-th failure: RetryMin, doubled each
// time, at most RetryMax.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.cfg.RetryMin
	for i := 1; i < attempts && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}

// permanent reports an SMTP refusal that another attempt would not change
// (a 5xx such as an unknown recipient).
func permanent(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && !se.IsTemp()
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// client builds an SMTP client from the URL: smtps is TLS from the start,
// smtp upgrades with STARTTLS when the server offers it; user and password
// authenticate with the best mechanism the server offers.
func (s *Service) client() (*gomail.Client, error) {
	u, err := url.Parse(s.cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("mail: SCHWARM_SMTP_URL: %w", err)
	}
	opts := []gomail.Option{gomail.WithTimeout(s.cfg.Timeout), gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	if s.cfg.TLS != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.TLS))
	}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
		opts = append(opts, gomail.WithSSL())
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: SCHWARM_SMTP_URL: port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	return gomail.NewClient(u.Hostname(), opts...)
}

// message builds the mail of a row. Its Message-ID comes from the row, so a
// mail sent again after a lost outcome is recognisably the same one.
func (s *Service) message(r queued) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("mail: SCHWARM_MAIL_FROM: %w", err)
	}
	if err := m.To(r.Recipient); err != nil {
		return nil, fmt.Errorf("mail: recipient: %w", err)
	}
	m.Subject(r.Subject)
	m.SetDate()
	domain := "schwarm.invalid"
	if addr, err := m.GetSender(false); err == nil {
		domain = strings.Trim(addr[strings.LastIndexByte(addr, '@')+1:], "<> ")
	}
	m.SetMessageIDWithValue("schwarm-mail-" + strconv.FormatInt(r.ID, 10) + "@" + domain)
	headers := map[string]string{}
	if err := json.Unmarshal([]byte(r.Headers), &headers); err != nil {
		return nil, fmt.Errorf("mail: headers of %d: %w", r.ID, err)
	}
	for k, v := range headers {
		m.SetGenHeader(gomail.Header(k), v)
	}
	m.SetBodyString(gomail.TypeTextPlain, r.BodyText)
	if r.BodyHTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, r.BodyHTML)
	}
	return m, nil
}
