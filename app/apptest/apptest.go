// Package apptest builds real test environments: a migrated database (SQLite in a
// temp dir, or a fresh schema in the PostgreSQL named by SCHWARM_TEST_DATABASE_URL),
// named fixtures, and the real server on a loopback port with a cookie-jar client.
// Only tests import it.
package apptest

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/user"
)

// EnvDatabaseURL names the variable that points the tests at PostgreSQL.
const EnvDatabaseURL = "SCHWARM_TEST_DATABASE_URL"

// FastPasswords keeps argon2id cheap in tests; password.go's own tests use the real cost.
var FastPasswords = user.PasswordParams{Memory: 1024, Time: 1, Threads: 1}

// FastMail makes the mail sender poll and retry within a test's patience.
func FastMail(s *mail.Settings) {
	s.Poll, s.RetryMin, s.RetryMax, s.Timeout = 20*time.Millisecond, 50*time.Millisecond, 500*time.Millisecond, 5*time.Second
}

// Log returns a logger that writes to the test log, shown only when a test fails.
func Log(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// DatabaseURL returns "" for SQLite, or a PostgreSQL URL whose search_path is a new
// schema of this test's own, dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		return ""
	}
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("apptest: connect to %s: %v", EnvDatabaseURL, err)
	}
	sqlDB, _ := admin.DB()
	schema := "t_" + strings.ToLower(strings.NewReplacer("-", "x", "_", "y").Replace(auth.NewToken()[:16]))
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("apptest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := admin.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			t.Errorf("apptest: drop schema %s: %v", schema, err)
		}
		sqlDB.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("apptest: %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// NewDB returns a migrated database that lives as long as the test.
func NewDB(t testing.TB) *database.DB {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, database.Options{
		URL: DatabaseURL(t), File: filepath.Join(t.TempDir(), "schwarm.db"), MaxConns: 4, Log: Log(t),
	})
	if err != nil {
		t.Fatalf("apptest: open database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("apptest: migrate: %v", err)
	}
	return db
}

// Config returns the default configuration with a temp data directory and the
// test database; edit may change it further.
func Config(t testing.TB, edit func(*config.Config)) config.Config {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatalf("apptest: default config: %v", err)
	}
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = DatabaseURL(t)
	cfg.DBMaxConns = 4
	// Nobody is a newcomer unless a test says so: review and daily limits would
	// otherwise hold back every fixture member's first post.
	cfg.TrustReputation = 0
	// Fixture accounts are minutes old and tests post the same words again:
	// the spam rules that read those are off unless a test says so.
	cfg.SpamNewAccount.Duration, cfg.SpamRepeat.Duration = 0, 0
	cfg.SignupMinFill.Duration = 0 // test clients send forms at once
	if edit != nil {
		edit(&cfg)
	}
	return cfg
}

// NewApp returns a migrated App on the test database.
func NewApp(t testing.TB, cfg config.Config) *app.App {
	t.Helper()
	return newApp(t, cfg, app.Options{})
}

// newApp is NewApp with opts, on top of the fast passwords and mail of tests.
func newApp(t testing.TB, cfg config.Config, opts app.Options) *app.App {
	t.Helper()
	opts.PasswordParams, opts.MailTuning = &FastPasswords, FastMail
	a, err := app.New(context.Background(), cfg, Log(t), opts)
	if err != nil {
		t.Fatalf("apptest: new app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Migrate(context.Background()); err != nil {
		t.Fatalf("apptest: migrate: %v", err)
	}
	return a
}

// Password is every fixture user's password.
const Password = "correct horse battery"

// Fixtures are named users, one per role.
type Fixtures struct {
	Admin, Moderator, Agent, Member, Other *user.User
}

// Seed creates the fixture users.
func Seed(t testing.TB, users *user.Service) Fixtures {
	t.Helper()
	mk := func(handle string, role user.Role) *user.User {
		u, err := users.Register(context.Background(), user.Registration{
			Handle: handle, Email: handle + "@example.com", Password: Password, Role: role, Locale: "en", Verified: true,
		})
		if err != nil {
			t.Fatalf("apptest: seed %s: %v", handle, err)
		}
		return u
	}
	return Fixtures{
		Admin:     mk("root_admin", user.RoleAdmin),
		Moderator: mk("mia_mod", user.RoleModerator),
		Agent:     mk("sam_agent", user.RoleAgent),
		Member:    mk("mara", user.RoleMember),
		Other:     mk("otto", user.RoleMember),
	}
}

// AwaitStep waits until a transaction that a test holds open in another
// goroutine has reached step, and fails the test if the transaction ended
// first (done) or got stuck.
func AwaitStep(t testing.TB, step <-chan struct{}, done <-chan error) {
	t.Helper()
	select {
	case <-step:
	case err := <-done:
		t.Fatalf("transaction ended early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("transaction stuck")
	}
}

// Eventually checks cond until it holds or limit has passed, and says whether it
// held. Tests wait with it for what a background loop (the indexer, pruning
// held back by another package's transaction on a shared PostgreSQL) does in
// its own time; the limit is generous, for a busy CI machine, and no speed test.
func Eventually(limit time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(limit); ; time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// AwaitIndex waits until the search index of a has applied every change committed
// so far: what the test wrote is found, and no change still on its way reorders
// the results between two requests.
func AwaitIndex(t testing.TB, a *app.App) {
	t.Helper()
	var pos outbox.Position
	caughtUp := Eventually(20*time.Second, func() bool {
		var err error
		if pos, err = a.Search.Position(); err != nil {
			t.Fatalf("read the index's position: %v", err)
		}
		pending, err := outbox.After(context.Background(), a.DB, pos, 1)
		if err != nil {
			t.Fatalf("read the outbox: %v", err)
		}
		return len(pending) == 0
	})
	if !caughtUp {
		t.Fatalf("the search index is behind the database after 20 s, at %+v", pos)
	}
}

// Clock is a settable clock for services that take a now func: tests move it
// on to cross an edit window, a delete window or a day.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock that stands at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
