package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/user"
)

// clock is a settable time source shared by the services under test.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d)) }
func newUser(t *testing.T, db *database.DB, s *auth.Sessions, now func() time.Time) (*user.Service, *user.User) {
	t.Helper()
	users := user.NewService(db, apptest.FastPasswords, []string{"en"}, s, now)
	u, err := users.Register(context.Background(), user.Registration{Handle: "kim", Email: "kim@example.com", Password: "longenough"})
	if err != nil {
		t.Fatal(err)
	}
	return users, u
}

func TestSessions(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	s := auth.NewSessions(db, time.Hour, clk.now)
	_, u := newUser(t, db, s, clk.now)

	token, err := s.Create(ctx, u.ID, "192.0.2.1", "test-agent")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup(ctx, token)
	if err != nil || got.ID != u.ID {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	var stored int64
	db.Reader(ctx).Table("sessions").Where("id = ?", token).Count(&stored)
	if stored != 0 {
		t.Error("the token itself is stored; only its hash may be")
	}
	for _, bad := range []string{"", "nope", token + "x"} {
		if _, err := s.Lookup(ctx, bad); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("Lookup(%q) = %v", bad, err)
		}
	}

	// Use within the TTL keeps the session alive past its first expiry.
	clk.add(50 * time.Minute)
	if _, err := s.Lookup(ctx, token); err != nil {
		t.Fatalf("after 50 min: %v", err)
	}
	clk.add(50 * time.Minute)
	if _, err := s.Lookup(ctx, token); err != nil {
		t.Fatalf("after 100 min with use in between: %v", err)
	}
	clk.add(61 * time.Minute)
	if _, err := s.Lookup(ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("idle longer than the TTL: %v", err)
	}
	if n, err := s.Purge(ctx); err != nil || n != 1 {
		t.Errorf("Purge = %d, %v; want 1", n, err)
	}

	t1, _ := s.Create(ctx, u.ID, "", "")
	t2, _ := s.Create(ctx, u.ID, "", "")
	if err := s.Delete(ctx, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, t1); !errors.Is(err, auth.ErrNoSession) {
		t.Error("deleted session still valid")
	}
	if _, err := s.Lookup(ctx, t2); err != nil {
		t.Error("deleting one session ended another")
	}
	if err := s.DeleteForUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, t2); !errors.Is(err, auth.ErrNoSession) {
		t.Error("DeleteForUser left a session")
	}
}

func TestLimiter(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	l := auth.NewLimiter(db, clk.now)
	for i := 1; i <= 4; i++ {
		ok, retry, err := l.Allow(ctx, "k", 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if want := i <= 3; ok != want {
			t.Errorf("attempt %d: ok = %v, want %v", i, ok, want)
		}
		if !ok && (retry <= 0 || retry > time.Minute) {
			t.Errorf("retry after %v", retry)
		}
	}
	if ok, _, _ := l.Allow(ctx, "other", 3, time.Minute); !ok {
		t.Error("keys are not separate")
	}
	clk.add(2 * time.Minute)
	if ok, _, _ := l.Allow(ctx, "k", 3, time.Minute); !ok {
		t.Error("a window later, the count did not start again")
	}
}

// TestLimiterSlides: a budget spent at the end of one window is not given again
// at the start of the next; it comes back as the window slides past it.
func TestLimiterSlides(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	l := auth.NewLimiter(db, clk.now)
	clk.add(50 * time.Second) // 10 s before the fixed window ends
	for i := range 3 {
		if ok, _, err := l.Allow(ctx, "k", 3, time.Minute); err != nil || !ok {
			t.Fatalf("attempt %d: %v, %v", i+1, ok, err)
		}
	}
	clk.add(15 * time.Second) // 5 s into the next window: the three still count
	if ok, _, _ := l.Allow(ctx, "k", 3, time.Minute); ok {
		t.Error("a new fixed window gave the whole budget again")
	}
	clk.add(50 * time.Second) // 55 s in: a twelfth of the old window is left
	if ok, _, _ := l.Allow(ctx, "k", 3, time.Minute); !ok {
		t.Error("the budget did not come back as the window slid")
	}
}

// TestLimiterCountsConcurrentAttempts: parallel attempts are each counted once.
func TestLimiterCountsConcurrentAttempts(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	l := auth.NewLimiter(db, clk.now)
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := l.Allow(ctx, "burst", 5, time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 5 {
		t.Errorf("%d of 20 concurrent attempts allowed, want 5", allowed.Load())
	}
}

// TestLimiterRefund: a refunded event no longer counts, on this node and, once
// flushed, on others, also when it was flushed before it was refunded; a refund
// is taken once however often it is called.
func TestLimiterRefund(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	a, b := auth.NewLimiter(db, clk.now), auth.NewLimiter(db, clk.now)
	try := func(l *auth.Limiter) (bool, func()) {
		ok, _, refund, err := l.Try(ctx, "k", 2, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return ok, refund
	}
	for i := range 5 { // refunded at once: never more than one counted
		ok, refund := try(a)
		if !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		refund()
		refund()
	}
	ok, flushedFirst := try(a)
	if !ok {
		t.Fatal("refused")
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	flushedFirst() // counted in the database already: taken back there by the next flush
	if ok, _ := try(a); !ok {
		t.Fatal("the event refunded after its flush still counts")
	}
	if ok, _ := try(a); !ok {
		t.Fatal("the second event refused")
	}
	if ok, _ := try(a); ok {
		t.Fatal("a third event allowed")
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var count int
	if err := db.Reader(ctx).Raw("SELECT SUM(count) FROM rate_limits WHERE key = 'k'").Scan(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != 3 {
		t.Errorf("the database counts %d events, want 3 (two kept and the refused one)", count)
	}
	if ok, _ := try(b); ok {
		t.Error("another node allowed an event over the shared count")
	}
}

// TestLimiterNodesShareCounts: two nodes' limiters on one database. Each counts
// its own events at once; the other's reach it once they are flushed and it
// reads the key again (a second later), and a flush that fails loses nothing.
func TestLimiterNodesShareCounts(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	a, b := auth.NewLimiter(db, clk.now), auth.NewLimiter(db, clk.now)
	allow := func(l *auth.Limiter) bool {
		ok, _, err := l.Allow(ctx, "k", 4, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for i, l := range []*auth.Limiter{a, a, b} {
		if !allow(l) {
			t.Fatalf("event %d refused within the budget", i+1)
		}
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Second) // b reads the key again: 3 in the database
	if !allow(b) {
		t.Error("the fourth event was refused")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Flush(canceled); err == nil {
		t.Fatal("a flush with a canceled context succeeded")
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Second) // a reads the key again: 4 in the database
	if allow(a) {
		t.Error("node a allowed a fifth event: it did not see node b's")
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var count int
	if err := db.Reader(ctx).Raw("SELECT SUM(count) FROM rate_limits WHERE key = 'k'").Scan(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != 5 {
		t.Errorf("the database counts %d events, want 5 (the refused one too, and the fourth kept through the failed flush)", count)
	}
}

func TestSignInFlow(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	sessions := auth.NewSessions(db, time.Hour, clk.now)
	users, u := newUser(t, db, sessions, clk.now)
	svc := auth.NewService(users, sessions, auth.NewLimiter(db, clk.now),
		auth.Limits{Login: config.Rate{N: 3, Window: time.Minute}, LoginAddress: config.Rate{N: 3, Window: time.Minute}, Signup: config.Rate{N: 1, Window: time.Hour}}, nil, true)
	c := auth.Client{IP: "198.51.100.7", UserAgent: "test"}

	got, token, err := svc.SignIn(ctx, "kim", "longenough", c)
	if err != nil || got.ID != u.ID || token == "" {
		t.Fatalf("SignIn = %v, %q, %v", got, token, err)
	}
	if cur, err := svc.Current(ctx, token, clk.now()); err != nil || cur.ID != u.ID {
		t.Fatalf("Current = %v, %v", cur, err)
	}
	for i := range 3 { // signing in that works is no guess: it does not count
		if _, _, err := svc.SignIn(ctx, "kim", "longenough", c); err != nil {
			t.Fatalf("sign-in %d that works: %v", i+2, err)
		}
	}
	for range 3 {
		if _, _, err := svc.SignIn(ctx, "kim", "wrong-password", c); !errors.Is(err, user.ErrInvalidCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	// The attempt after three wrong passwords is refused even with the right one.
	_, _, err = svc.SignIn(ctx, "kim", "longenough", c)
	var limited *auth.RateLimitedError
	if !errors.As(err, &limited) {
		t.Fatalf("after three wrong passwords: %v, want rate limited", err)
	}
	// Another address guessing the same account is limited too.
	if _, _, err := svc.SignIn(ctx, "KIM", "longenough", auth.Client{IP: "203.0.113.9"}); !errors.As(err, &limited) {
		t.Errorf("same account from another address: %v", err)
	}

	if _, _, err := svc.SignUp(ctx, user.Registration{Handle: "lee", Email: "lee@example.com", Password: "longenough"}, c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SignUp(ctx, user.Registration{Handle: "lou", Email: "lou@example.com", Password: "longenough"}, c); !errors.As(err, &limited) {
		t.Errorf("second sign-up from one address: %v", err)
	}

	if err := svc.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Current(ctx, token, clk.now()); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("after sign-out: %v", err)
	}
}

// TestSignInLimits: many people behind one address all get in; wrong passwords
// are limited per account, from any address, and per address, over all accounts;
// attempts in parallel cannot pass a limit together.
func TestSignInLimits(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	sessions := auth.NewSessions(db, time.Hour, clk.now)
	users, _ := newUser(t, db, sessions, clk.now)
	svc := auth.NewService(users, sessions, auth.NewLimiter(db, clk.now),
		auth.Limits{Login: config.Rate{N: 5, Window: 15 * time.Minute}, LoginAddress: config.Rate{N: 12, Window: 15 * time.Minute}, Signup: config.Rate{N: 1, Window: time.Hour}}, nil, true)
	office := auth.Client{IP: "198.51.100.20"}
	var handles []string
	for i := range 30 {
		h := fmt.Sprintf("agent%02d", i)
		if _, err := users.Register(ctx, user.Registration{Handle: h, Email: h + "@example.com", Password: "longenough"}); err != nil {
			t.Fatal(err)
		}
		handles = append(handles, h)
	}
	for _, h := range handles {
		if _, _, err := svc.SignIn(ctx, h, "longenough", office); err != nil {
			t.Fatalf("%s signing in from the office: %v", h, err)
		}
	}

	// One account, guessed from many addresses: the sixth attempt is refused,
	// even with the right password, and says when to come back.
	var limited *auth.RateLimitedError
	for i := range 5 {
		if _, _, err := svc.SignIn(ctx, "kim", "guess", auth.Client{IP: fmt.Sprintf("203.0.113.%d", i+1)}); !errors.Is(err, user.ErrInvalidCredentials) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	if _, _, err := svc.SignIn(ctx, "kim", "longenough", auth.Client{IP: "203.0.113.99"}); !errors.As(err, &limited) || limited.RetryAfter <= 0 {
		t.Fatalf("after five wrong passwords: %v, want rate limited with a wait", err)
	}
	// Her colleagues in the office are not held back by it, nor by their own typos.
	for i, h := range handles[:3] {
		if _, _, err := svc.SignIn(ctx, h, "typo", office); !errors.Is(err, user.ErrInvalidCredentials) {
			t.Fatalf("typo %d: %v", i+1, err)
		}
		if _, _, err := svc.SignIn(ctx, h, "longenough", office); err != nil {
			t.Fatalf("%s after a typo: %v", h, err)
		}
	}

	// One address guessing many accounts: stopped by the address's budget of 12,
	// though each account saw only one guess.
	guesser := auth.Client{IP: "192.0.2.66"}
	for i, h := range handles[:12] {
		if _, _, err := svc.SignIn(ctx, h, "guess", guesser); !errors.Is(err, user.ErrInvalidCredentials) {
			t.Fatalf("guess %d at %s: %v", i+1, h, err)
		}
	}
	if _, _, err := svc.SignIn(ctx, handles[12], "guess", guesser); !errors.As(err, &limited) {
		t.Fatalf("the 13th guess from one address: %v, want rate limited", err)
	}
	if _, _, err := svc.SignIn(ctx, handles[13], "guess", office); !errors.Is(err, user.ErrInvalidCredentials) {
		t.Errorf("a guess from another address: %v, want only a wrong password", err)
	}

	// Parallel guesses at one account: exactly the budget reaches the password check.
	if _, err := users.Register(ctx, user.Registration{Handle: "pia", Email: "pia@example.com", Password: "longenough"}); err != nil {
		t.Fatal(err)
	}
	var wrong, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, _, err := svc.SignIn(ctx, "pia", "guess", auth.Client{IP: fmt.Sprintf("198.18.0.%d", i+1)})
			switch {
			case errors.Is(err, user.ErrInvalidCredentials):
				wrong.Add(1)
			case errors.As(err, new(*auth.RateLimitedError)):
				refused.Add(1)
			default:
				t.Errorf("parallel guess: %v", err)
			}
		})
	}
	wg.Wait()
	if wrong.Load() != 5 || refused.Load() != 15 {
		t.Errorf("of 20 parallel guesses %d were checked and %d refused, want 5 and 15", wrong.Load(), refused.Load())
	}
}

// TestOneSignInBudgetPerAccount: the handle and the e-mail address of one account
// draw on one budget, and what is typed as the login is stored bounded, however
// long it was.
func TestOneSignInBudgetPerAccount(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	sessions := auth.NewSessions(db, time.Hour, clk.now)
	users, _ := newUser(t, db, sessions, clk.now)
	limiter := auth.NewLimiter(db, clk.now)
	svc := auth.NewService(users, sessions, limiter,
		auth.Limits{Login: config.Rate{N: 3, Window: time.Minute}, LoginAddress: config.Rate{N: 3, Window: time.Minute}, Signup: config.Rate{N: 1, Window: time.Hour}}, nil, true)
	for i, login := range []string{"kim", "KIM@example.com", "Kim"} {
		ip := fmt.Sprintf("198.51.100.%d", i+1) // each from its own address
		if _, _, err := svc.SignIn(ctx, login, "wrong-password", auth.Client{IP: ip}); !errors.Is(err, user.ErrInvalidCredentials) {
			t.Fatalf("attempt %d as %q: %v", i+1, login, err)
		}
	}
	var limited *auth.RateLimitedError
	if _, _, err := svc.SignIn(ctx, "kim@example.com", "longenough", auth.Client{IP: "198.51.100.9"}); !errors.As(err, &limited) {
		t.Errorf("the e-mail address after three guesses at the handle: %v, want rate limited", err)
	}

	huge := strings.Repeat("x", 1<<20)
	for range 5 {
		if _, _, err := svc.SignIn(ctx, huge, huge, auth.Client{IP: "203.0.113.5"}); err == nil {
			t.Fatal("a megabyte login signed in")
		}
	}
	if err := limiter.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var longest int
	if err := db.Reader(ctx).Raw("SELECT COALESCE(MAX(LENGTH(key)), 0) FROM rate_limits").Scan(&longest).Error; err != nil {
		t.Fatal(err)
	}
	if longest > 64 {
		t.Errorf("a rate-limit key of %d bytes is stored; want them bounded", longest)
	}
}

func TestSecretIsStable(t *testing.T) {
	db, ctx := apptest.NewDB(t), context.Background()
	a, err := auth.Secret(ctx, db, "csrf")
	if err != nil || len(a) < 32 {
		t.Fatalf("Secret = %q, %v", a, err)
	}
	b, _ := auth.Secret(ctx, db, "csrf")
	c, _ := auth.Secret(ctx, db, "other")
	if a != b || a == c {
		t.Errorf("secrets: %q %q %q", a, b, c)
	}
}

// TestRecentLookups: a page read within the age at the same generation reuses
// the lookup; an ended session, a newer generation, an older lookup or a staff
// session is looked up again.
func TestRecentLookups(t *testing.T) {
	db, clk, ctx := apptest.NewDB(t), newClock(), context.Background()
	s := auth.NewSessions(db, time.Hour, clk.now)
	_, u := newUser(t, db, s, clk.now)
	token, err := s.Create(ctx, u.ID, "192.0.2.1", "test-agent")
	if err != nil {
		t.Fatal(err)
	}
	rename := func(name string) {
		t.Helper()
		if err := db.Writer(ctx).Exec("UPDATE users SET display_name = ? WHERE id = ?", name, u.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	read := func(gen uint64) string {
		t.Helper()
		got, err := s.LookupRecent(ctx, token, 10*time.Second, gen)
		if err != nil {
			t.Fatal(err)
		}
		return got.DisplayName
	}
	rename("Kim")
	read(1)
	rename("Kim A.")
	if got := read(1); got != "Kim" {
		t.Errorf("within the age at the same generation: %q, want the kept lookup", got)
	}
	if got := read(2); got != "Kim A." {
		t.Errorf("at a newer generation: %q, want a fresh lookup", got)
	}
	rename("Kim B.")
	clk.add(11 * time.Second)
	if got := read(2); got != "Kim B." {
		t.Errorf("after the age: %q, want a fresh lookup", got)
	}
	if err := s.Delete(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupRecent(ctx, token, 10*time.Second, 2); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("an ended session: %v", err)
	}

	token, err = s.Create(ctx, u.ID, "192.0.2.1", "test-agent")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Writer(ctx).Exec("UPDATE users SET role = 'moderator' WHERE id = ?", u.ID).Error; err != nil {
		t.Fatal(err)
	}
	read(3)
	if err := db.Writer(ctx).Exec("UPDATE users SET role = 'member' WHERE id = ?", u.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got, err := s.LookupRecent(ctx, token, 10*time.Second, 3); err != nil || got.Role != user.RoleMember {
		t.Errorf("a moderator's session was kept: %v, %v", got, err)
	}
	if err := s.DeleteForUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LookupRecent(ctx, token, 10*time.Second, 3); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("after every session of the member ended: %v", err)
	}
}
