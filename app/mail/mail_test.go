package mail_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/mail/mailtest"
	"github.com/schwarm/schwarm/app/theme"
	"github.com/schwarm/schwarm/locales"
	"github.com/schwarm/schwarm/themes"
)

// fast are settings that retry within a test's patience.
func fast(url string) mail.Settings {
	return mail.Settings{URL: url, From: "Schwarm <forum@example.com>", Poll: 20 * time.Millisecond,
		Timeout: 2 * time.Second, RetryMin: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond, MaxAttempts: 100}
}

func run(t *testing.T, s *mail.Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func msg(i int) mail.Message {
	return mail.Message{Key: fmt.Sprintf("test:%d", i), To: fmt.Sprintf("m%d@example.com", i),
		Subject: fmt.Sprintf("Mail %d: Grüße", i), Text: fmt.Sprintf("Hello %d\nhttps://forum.example/t/%d", i, i), HTML: fmt.Sprintf("<p>Hello %d</p>", i)}
}

func counts(t *testing.T, s *mail.Service) mail.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSendsOnceAfterTheServerComesBack: mail enqueued while the SMTP server is
// down waits, is retried, and arrives exactly once when the server is back;
// a second Enqueue with the same key sends nothing more.
func TestSendsOnceAfterTheServerComesBack(t *testing.T) {
	db, smtp := apptest.NewDB(t), mailtest.Start(t)
	s := mail.NewService(db, fast(smtp.URL()), apptest.Log(t), time.Now)
	smtp.Stop()
	run(t, s)
	ctx := context.Background()
	for i := range 3 {
		if err := s.Enqueue(ctx, nil, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enqueue(ctx, nil, msg(0)); err != nil { // a consumer that saw its event twice
		t.Fatal(err)
	}
	if !apptest.Eventually(10*time.Second, func() bool {
		var failed int
		db.Reader(ctx).Raw("SELECT COUNT(*) FROM mail_queue WHERE attempts > 0 AND last_error <> ''").Scan(&failed)
		return failed == 3
	}) {
		var rows []map[string]any
		db.Reader(ctx).Raw("SELECT * FROM mail_queue").Scan(&rows)
		t.Fatalf("the sender never tried while the server was down: %v", rows)
	}
	smtp.Start()
	smtp.Wait(t, 3, 10*time.Second)
	time.Sleep(300 * time.Millisecond) // more than a retry: a duplicate would have come
	got := smtp.Messages()
	if len(got) != 3 {
		t.Fatalf("%d mails arrived, want 3", len(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.Subject] {
			t.Errorf("%q arrived twice", m.Subject)
		}
		seen[m.Subject] = true
	}
	for i := range 3 {
		want := msg(i)
		m := smtp.WaitTo(t, want.To, 0, time.Second)
		if m.Subject != want.Subject || m.Text != want.Text || m.HTML != want.HTML {
			t.Errorf("mail %d: got %q / %q / %q", i, m.Subject, m.Text, m.HTML)
		}
		if m.Headers.Get("List-Unsubscribe") != "" {
			t.Errorf("a transactional mail has List-Unsubscribe %q", m.Headers.Get("List-Unsubscribe"))
		}
	}
	if c := counts(t, s); c != (mail.Counts{Sent: 3}) {
		t.Errorf("counts %+v, want 3 sent", c)
	}
}

// TestRestartResendsPending: what one sender left unsent, a new one on the same
// database sends, and nothing it had sent goes out again.
func TestRestartResendsPending(t *testing.T) {
	db, smtp := apptest.NewDB(t), mailtest.Start(t)
	ctx := context.Background()
	first := mail.NewService(db, fast(smtp.URL()), apptest.Log(t), time.Now)
	stop := run(t, first)
	if err := first.Enqueue(ctx, nil, msg(1)); err != nil {
		t.Fatal(err)
	}
	smtp.Wait(t, 1, 10*time.Second)
	stop() // the node goes down; what it enqueues now waits
	if err := first.Enqueue(ctx, nil, msg(2)); err != nil {
		t.Fatal(err)
	}
	second := mail.NewService(db, fast(smtp.URL()), apptest.Log(t), time.Now)
	run(t, second)
	smtp.Wait(t, 2, 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	if got := smtp.Messages(); len(got) != 2 || got[1].Subject != msg(2).Subject {
		t.Fatalf("after the restart: %d mails (%v)", len(got), got)
	}
}

// TestSeveralSendersSendEachOnce: three senders on one database, as three
// nodes, send forty mails; each arrives once.
func TestSeveralSendersSendEachOnce(t *testing.T) {
	db, smtp := apptest.NewDB(t), mailtest.Start(t)
	ctx := context.Background()
	var senders []*mail.Service
	for range 3 {
		s := mail.NewService(db, fast(smtp.URL()), apptest.Log(t), time.Now)
		senders = append(senders, s)
	}
	const n = 40
	for i := range n {
		if err := senders[i%3].Enqueue(ctx, nil, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range senders {
		run(t, s)
	}
	smtp.Wait(t, n, 20*time.Second)
	time.Sleep(200 * time.Millisecond)
	got := smtp.Messages()
	seen := map[string]int{}
	for _, m := range got {
		seen[m.Subject]++
	}
	if len(got) != n || len(seen) != n {
		t.Errorf("%d mails with %d distinct subjects, want %d each", len(got), len(seen), n)
	}
}

// TestEnqueueJoinsTheTransaction: a mail enqueued in a transaction that rolls
// back is never sent.
func TestEnqueueJoinsTheTransaction(t *testing.T) {
	db := apptest.NewDB(t)
	s := mail.NewService(db, fast("smtp://127.0.0.1:1"), apptest.Log(t), time.Now)
	ctx := context.Background()
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := s.Enqueue(ctx, db.Writer(ctx), msg(1)); err != nil {
			return err
		}
		return fmt.Errorf("the change failed")
	})
	if err == nil {
		t.Fatal("the transaction did not fail")
	}
	if c := counts(t, s); c != (mail.Counts{}) {
		t.Errorf("after a rollback: %+v, want nothing queued", c)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error { return s.Enqueue(ctx, nil, msg(2)) }); err != nil {
		t.Fatal(err)
	}
	if c := counts(t, s); c.Pending != 1 {
		t.Errorf("after a commit: %+v, want one pending", c)
	}
}

// TestGivesUpAndKeepsTheRow: a mail that never gets through is kept as failed
// with its error after MaxAttempts, and the backoff waits longer each time.
func TestGivesUpAndKeepsTheRow(t *testing.T) {
	db := apptest.NewDB(t)
	clk := apptest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	cfg := fast("smtp://127.0.0.1:1") // nothing listens there
	cfg.RetryMin, cfg.RetryMax, cfg.MaxAttempts = time.Minute, 5*time.Minute, 5
	s := mail.NewService(db, cfg, apptest.Log(t), clk.Now)
	ctx := context.Background()
	if err := s.Enqueue(ctx, nil, msg(1)); err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	for attempt := 1; attempt <= 5; attempt++ {
		if n, _ := s.SendDue(ctx); n != 1 {
			t.Fatalf("attempt %d: %d claimed, want 1", attempt, n)
		}
		if n, _ := s.SendDue(ctx); n != 0 {
			t.Fatalf("attempt %d: claimed again before its backoff", attempt)
		}
		var next database.Time
		db.Reader(ctx).Raw("SELECT next_attempt_at FROM mail_queue").Scan(&next)
		waits = append(waits, next.Sub(clk.Now()))
		clk.Add(10 * time.Minute)
	}
	if want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute}; fmt.Sprint(waits[:4]) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits[:4], want)
	}
	var row struct {
		Attempts  int
		LastError string
		Failed    int
	}
	db.Reader(ctx).Raw("SELECT attempts, last_error, CASE WHEN failed_at IS NULL THEN 0 ELSE 1 END AS failed FROM mail_queue").Scan(&row)
	if row.Attempts != 5 || row.Failed != 1 || row.LastError == "" {
		t.Errorf("the row after 5 attempts: %+v, want failed with its error", row)
	}
	if n, _ := s.SendDue(ctx); n != 0 {
		t.Error("a failed mail was claimed again")
	}
}

// TestMailOff: without a server nothing is queued and Run returns.
func TestMailOff(t *testing.T) {
	db := apptest.NewDB(t)
	s := mail.NewService(db, mail.Settings{}, apptest.Log(t), time.Now)
	if s.Enabled() {
		t.Fatal("enabled without a URL")
	}
	if err := s.Enqueue(context.Background(), nil, msg(1)); err != nil {
		t.Fatal(err)
	}
	if c := counts(t, s); c != (mail.Counts{}) {
		t.Errorf("mail off queued %+v", c)
	}
	done := make(chan struct{})
	go func() { s.Run(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Run with mail off did not return")
	}
}

// TestUnsubscribeHeaders: a mail with an unsubscribe link carries the RFC 8058
// headers.
func TestUnsubscribeHeaders(t *testing.T) {
	db, smtp := apptest.NewDB(t), mailtest.Start(t)
	s := mail.NewService(db, fast(smtp.URL()), apptest.Log(t), time.Now)
	run(t, s)
	m := msg(1)
	m.Unsubscribe = "https://forum.example/unsubscribe?token=abc"
	if err := s.Enqueue(context.Background(), nil, m); err != nil {
		t.Fatal(err)
	}
	got := smtp.Wait(t, 1, 10*time.Second)[0]
	if h := got.Headers.Get("List-Unsubscribe"); h != "<"+m.Unsubscribe+">" {
		t.Errorf("List-Unsubscribe %q", h)
	}
	if h := got.Headers.Get("List-Unsubscribe-Post"); h != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", h)
	}
	if got.Link("/t/1") != "https://forum.example/t/1" {
		t.Errorf("Link = %q", got.Link("/t/1"))
	}
}

// TestRenderInBothLanguages: every mail renders in each language with the
// footer link to the preferences, and the HTML escapes what it is given.
func TestRenderInBothLanguages(t *testing.T) {
	bundle, err := i18n.Load(locales.FS, "en")
	if err != nil {
		t.Fatal(err)
	}
	files, err := theme.Open(themes.FS, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	mails, err := theme.LoadMails(files)
	if err != nil {
		t.Fatal(err)
	}
	r := mail.NewRenderer(mails, bundle, "https://forum.example")
	data := struct{ Name, Link string }{"<Kim>", "https://forum.example/x?token=a&b"}
	want := map[string]string{"en": "Hello", "de": "Hallo"}
	for _, name := range mails.Names() {
		if name == "notification" || name == "digest" {
			continue // they take app/notify's MailData: see app's TestNotificationMailsInEveryKindAndLanguage
		}
		for _, lang := range []string{"en", "de", ""} {
			subject, text, html, err := r.Render(lang, name, data)
			if err != nil {
				t.Fatalf("%s/%s: %v", name, lang, err)
			}
			greet := want[lang]
			if lang == "" {
				greet = want["en"]
			}
			for _, part := range []string{text, html} {
				if !strings.Contains(part, greet) || !strings.Contains(part, "https://forum.example/settings/notifications") {
					t.Errorf("%s/%s lacks the greeting or the preferences link:\n%s", name, lang, part)
				}
			}
			if subject == "" || strings.Contains(html, "<Kim>") || strings.Contains(subject, "mail.") {
				t.Errorf("%s/%s: subject %q, html unescaped or untranslated", name, lang, subject)
			}
		}
	}
}

// TestTLSAndAuthentication: the sender upgrades with STARTTLS when offered,
// speaks TLS from the start for smtps, and authenticates with the URL's user.
func TestTLSAndAuthentication(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		t.Run(fmt.Sprintf("implicit=%v", implicit), func(t *testing.T) {
			smtp := mailtest.StartWith(t, mailtest.Options{TLS: true, Implicit: implicit, User: "forum", Password: "s3cret:/@"})
			cfg := fast(smtp.URL())
			cfg.TLS = smtp.ClientTLS()
			s := mail.NewService(apptest.NewDB(t), cfg, apptest.Log(t), time.Now)
			run(t, s)
			if err := s.Enqueue(context.Background(), nil, msg(1)); err != nil {
				t.Fatal(err)
			}
			got := smtp.Wait(t, 1, 10*time.Second)[0]
			if !got.TLS || got.User != "forum" || got.Subject != msg(1).Subject {
				t.Errorf("received over TLS %v as %q: %q", got.TLS, got.User, got.Subject)
			}
		})
	}
	// A server whose certificate the sender does not trust gets nothing.
	smtp := mailtest.StartWith(t, mailtest.Options{TLS: true})
	s := mail.NewService(apptest.NewDB(t), fast(smtp.URL()), apptest.Log(t), time.Now)
	if err := s.Enqueue(context.Background(), nil, msg(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendDue(context.Background()); err == nil {
		t.Error("sent to a server with an untrusted certificate")
	}
	if n := len(smtp.Messages()); n != 0 {
		t.Errorf("%d mails through an untrusted TLS connection", n)
	}
}
