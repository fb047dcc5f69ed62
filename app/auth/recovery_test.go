package auth_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/theme"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/locales"
	"github.com/schwarm/schwarm/themes"
)

// mailedAuth is the sign-in flows with mail on; the mails stay in the queue,
// where the test reads their links.
func mailedAuth(t *testing.T) (*auth.Service, *user.Service, *user.User, *clock, *database.DB) {
	t.Helper()
	db, clk := apptest.NewDB(t), newClock()
	sessions := auth.NewSessions(db, time.Hour, clk.now)
	users, u := newUser(t, db, sessions, clk.now)
	svc := auth.NewService(users, sessions, auth.NewLimiter(db, clk.now),
		auth.Limits{Login: config.Rate{N: 10, Window: time.Minute}, LoginAddress: config.Rate{N: 10, Window: time.Minute}, Signup: config.Rate{N: 10, Window: time.Hour}}, nil, true)
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
	queue := mail.NewService(db, mail.Settings{URL: "smtp://127.0.0.1:1", From: "forum@example.com"}, apptest.Log(t), clk.now)
	svc.SetMail(auth.AccountMail{Queue: queue, Render: mail.NewRenderer(mails, bundle, "https://forum.example"),
		BaseURL: "https://forum.example", Rate: config.Rate{N: 3, Window: time.Hour}})
	return svc, users, u, clk, db
}

var tokenPattern = regexp.MustCompile(`\?token=([A-Za-z0-9_-]+)`)

// lastToken reads the token of the newest mail to to from the queue.
func lastToken(t *testing.T, db *database.DB, to string) string {
	t.Helper()
	var text string
	db.Reader(context.Background()).Raw("SELECT body_text FROM mail_queue WHERE recipient = ? ORDER BY id DESC LIMIT 1", to).Scan(&text)
	m := tokenPattern.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in the last mail to %s: %q", to, text)
	}
	return m[1]
}

// TestResetLinkExpires: a reset link works within the hour, not after; only
// its hash is stored; a newer link spends the older.
func TestResetLinkExpires(t *testing.T) {
	svc, _, u, clk, db := mailedAuth(t)
	ctx, c := context.Background(), auth.Client{IP: "192.0.2.1"}
	if err := svc.RequestPasswordReset(ctx, "KIM@example.com", "en", c); err != nil {
		t.Fatal(err)
	}
	token := lastToken(t, db, u.Email)
	var stored int64
	db.Reader(ctx).Table("account_tokens").Where("hash = ?", token).Count(&stored)
	if stored != 0 {
		t.Error("the token itself is stored; only its hash may be")
	}
	clk.add(61 * time.Minute)
	if _, _, err := svc.ResetPassword(ctx, token, "a new secret", c); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("after 61 minutes: %v, want ErrTokenInvalid", err)
	}

	if err := svc.RequestPasswordReset(ctx, u.Email, "en", c); err != nil {
		t.Fatal(err)
	}
	older := lastToken(t, db, u.Email)
	if err := svc.RequestPasswordReset(ctx, u.Email, "en", c); err != nil {
		t.Fatal(err)
	}
	newer := lastToken(t, db, u.Email)
	clk.add(59 * time.Minute)
	got, session, err := svc.ResetPassword(ctx, newer, "a new secret", c)
	if err != nil || got.ID != u.ID || session == "" {
		t.Fatalf("within the hour: %v, %q, %v", got, session, err)
	}
	if _, _, err := svc.ResetPassword(ctx, older, "another secret", c); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("the older link after the newer was used: %v", err)
	}
	for i := range 4 { // three in the hour, and this window is part of it
		err := svc.RequestPasswordReset(ctx, u.Email, "en", c)
		if errors.As(err, new(*auth.RateLimitedError)) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			t.Error("no rate limit on reset requests for one address")
		}
	}
}

// TestVerifyLinkExpires: a verification link works for a day; the account
// cannot sign in before; a link mailed to an address the account no longer
// has confirms nothing.
func TestVerifyLinkExpires(t *testing.T) {
	svc, users, _, clk, db := mailedAuth(t)
	ctx, c := context.Background(), auth.Client{IP: "192.0.2.2"}
	if _, token, err := svc.SignUp(ctx, user.Registration{Handle: "lee", Email: "lee@example.com", Password: "longenough"}, c); err != nil || token != "" {
		t.Fatalf("SignUp = %q, %v; want no session", token, err)
	}
	if _, _, err := svc.SignIn(ctx, "lee", "longenough", c); !errors.Is(err, auth.ErrUnverified) {
		t.Errorf("sign-in before verifying: %v", err)
	}
	token := lastToken(t, db, "lee@example.com")
	clk.add(25 * time.Hour)
	if _, _, err := svc.Verify(ctx, token, c); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("after 25 hours: %v", err)
	}
	if err := svc.ResendVerification(ctx, "lee@example.com", "en", c); err != nil {
		t.Fatal(err)
	}
	token = lastToken(t, db, "lee@example.com")
	clk.add(23 * time.Hour)
	u, session, err := svc.Verify(ctx, token, c)
	if err != nil || session == "" || u.EmailVerifiedAt == nil {
		t.Fatalf("within the day: %v, %q, %v", u, session, err)
	}
	if _, _, err := svc.SignIn(ctx, "lee", "longenough", c); err != nil {
		t.Errorf("sign-in after verifying: %v", err)
	}
	if _, err := users.Get(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
}
