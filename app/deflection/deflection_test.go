package deflection_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/user"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestDeflectionRate(t *testing.T) {
	db := apptest.NewDB(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	users := user.NewService(db, apptest.FastPasswords, []string{"en"}, auth.NewSessions(db, time.Hour, clk.now), clk.now)
	fx := apptest.Seed(t, users)
	s := deflection.NewService(db, aliasesFunc(func(context.Context, int64, string, string) error { return nil }), clk.now)
	start := clk.now()

	// Each ask: the events in it, in order.
	type step struct {
		kind   string
		thread int64
	}
	asks := []struct {
		name  string
		steps []step
	}{
		{"looked at suggestions, posted anyway", []step{{deflection.Shown, 1}, {deflection.Shown, 2}, {deflection.Posted, 0}}},
		{"clicked, said it solved the problem", []step{{deflection.Shown, 1}, {deflection.Clicked, 1}, {deflection.Solved, 1}}},
		{"clicked and left without a word", []step{{deflection.Shown, 2}, {deflection.Clicked, 2}}},
		{"clicked, came back and posted", []step{{deflection.Shown, 2}, {deflection.Clicked, 2}, {deflection.Posted, 0}}},
		{"solved, then posted all the same", []step{{deflection.Clicked, 1}, {deflection.Solved, 1}, {deflection.Posted, 0}}},
		{"never typed enough for suggestions", nil},
	}
	for _, a := range asks {
		id, err := s.Start(ctx, fx.Member.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range a.steps {
			if err := s.Record(ctx, fx.Member.ID, id, st.kind, "router drops wifi", st.thread); err != nil {
				t.Fatalf("%s: %s: %v", a.name, st.kind, err)
			}
			// Repeats (the suggestion list refreshes as people type) count once.
			if err := s.Record(ctx, fx.Member.ID, id, st.kind, "router drops wifi", st.thread); err != nil {
				t.Fatalf("%s: %s again: %v", a.name, st.kind, err)
			}
		}
		if err := s.Record(ctx, fx.Other.ID, id, deflection.Clicked, "", 1); !errors.Is(err, deflection.ErrUnknownSession) {
			t.Errorf("%s: another member's click: %v", a.name, err)
		}
	}
	if err := s.Record(ctx, fx.Member.ID, "nope", deflection.Clicked, "", 1); !errors.Is(err, deflection.ErrUnknownSession) {
		t.Errorf("unknown session: %v", err)
	}

	rate := func() deflection.Rate {
		t.Helper()
		r, err := s.DeflectionRate(ctx, start, clk.now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if got, want := rate(), (deflection.Rate{Started: 6, Deflected: 1, Posted: 3, Rate: 1.0 / 6}); got != want {
		t.Errorf("before abandoning stale asks: %+v, want %+v", got, want)
	}
	clk.add(10 * time.Minute)
	if n, err := s.AbandonStale(ctx); err != nil || n != 0 {
		t.Errorf("abandoned %d asks after 10 minutes (%v)", n, err)
	}
	clk.add(deflection.AbandonAfter)
	if n, err := s.AbandonStale(ctx); err != nil || n != 1 {
		t.Errorf("abandoned %d asks after 40 minutes (%v), want the one that clicked and left", n, err)
	}
	if got, want := rate(), (deflection.Rate{Started: 6, Deflected: 2, Posted: 3, Rate: 2.0 / 6}); got != want {
		t.Errorf("after abandoning stale asks: %+v, want %+v", got, want)
	}
	var events int64
	if err := db.Reader(ctx).Table("deflection_events").Count(&events).Error; err != nil {
		t.Fatal(err)
	}
	if events != 14 {
		t.Errorf("%d events stored, want 14 (repeats once)", events)
	}
}

type aliasesFunc func(ctx context.Context, threadID int64, text, source string) error

func (f aliasesFunc) AddAlias(ctx context.Context, threadID int64, text, source string) error {
	return f(ctx, threadID, text, source)
}
