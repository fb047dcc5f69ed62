package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/outbox"
)

// TestGracefulShutdown: when the server is told to stop (SIGTERM cancels ctx in
// cmd/schwarm), a request in flight still gets its full answer.
func TestGracefulShutdown(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.ShutdownTimeout.Duration = 10 * time.Second }))
	started, release := make(chan struct{}), make(chan struct{})
	hook := func(f *fiber.App) {
		f.Get("/test/slow", func(c *fiber.Ctx) error {
			close(started)
			<-release
			return c.SendString("finished")
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln, hook) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	stop() // as SIGTERM does
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-served:
		t.Fatalf("server stopped with a request in flight: %v", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request: %q, %v", r.body, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still accepts requests after shutdown")
	}
}

// TestShutdownWaitsForHousekeeping: Serve returns only once housekeeping has
// stopped, so closing the database after it cannot pull it from under a purge.
func TestShutdownWaitsForHousekeeping(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	// The first round purges sessions at once; hold that statement, whatever ctx
	// says, as a slow database would.
	err := a.DB.Writer(context.Background()).Callback().Delete().Before("gorm:delete").Register("test:hold_purge", func(db *gorm.DB) {
		if db.Statement.Table == "sessions" {
			once.Do(func() { close(entered); <-release })
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln, nil) }()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("housekeeping did not start")
	}
	stop()
	select {
	case err := <-served:
		close(release)
		t.Fatalf("Serve returned while housekeeping still ran: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after housekeeping ended")
	}
}

// TestHousekeepingPrunesTheOutbox: records older than SCHWARM_OUTBOX_RETENTION
// go, newer ones stay.
func TestHousekeepingPrunesTheOutbox(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.OutboxRetention.Duration = 24 * time.Hour }))
	ctx := context.Background()
	for _, id := range []int64{1, 2} {
		if err := outbox.Append(ctx, a.DB, outbox.Thread, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.DB.Writer(ctx).Exec("UPDATE outbox SET created_at = ? WHERE entity_id = 1", time.Now().Add(-25*time.Hour).UTC()).Error; err != nil {
		t.Fatal(err)
	}
	// On PostgreSQL a write transaction of another test package holds back
	// pruning the records of later transactions: the next round takes them.
	var left []int64
	apptest.Eventually(10*time.Second, func() bool {
		a.Housekeep(ctx)
		left = nil
		if err := a.DB.Reader(ctx).Table("outbox").Order("id").Pluck("entity_id", &left).Error; err != nil {
			t.Fatal(err)
		}
		return len(left) == 1
	})
	if !slices.Equal(left, []int64{2}) {
		t.Errorf("after housekeeping the outbox holds the records of %v, want [2]", left)
	}
}
