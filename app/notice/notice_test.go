package notice_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/notice"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

func TestNoticesShowFromStartToEnd(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, func(c *config.Config) { c.TrustReputation = 0 }))
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	clock := apptest.NewClock(time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC))
	svc := notice.NewService(a.DB, a.Threads, a.Audit, moderation.ParseThreadRef, time.Minute, clock.Now)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := a.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	known, err := a.Threads.Create(ctx, fx.Agent, thread.Ask{BoardID: b.ID, Title: "Outage in Hamburg: what we know", Body: "Updates here."})
	if err != nil {
		t.Fatal(err)
	}
	hidden, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi at night", Body: "Every night."})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Moderation.HideThread(ctx, fx.Moderator, hidden.ID, "spam"); err != nil {
		t.Fatal(err)
	}

	in := func(d time.Duration) *time.Time { t := clock.Now().Add(d); return &t }
	bad := []struct {
		name  string
		draft notice.Draft
		field string
	}{
		{"no text", notice.Draft{Level: notice.LevelOutage}, "text_en"},
		{"an unknown level", notice.Draft{Level: "apocalypse", TextEN: "x"}, "level"},
		{"an end before the start", notice.Draft{Level: notice.LevelInfo, TextEN: "x", StartsAt: clock.Now().Add(time.Hour), EndsAt: in(time.Minute)}, "ends_at"},
		{"an end in the past", notice.Draft{Level: notice.LevelInfo, TextEN: "x", StartsAt: clock.Now().Add(-2 * time.Hour), EndsAt: in(-time.Hour)}, "ends_at"},
		{"a hidden thread", notice.Draft{Level: notice.LevelInfo, TextEN: "x", Thread: "/t/" + itoa(hidden.ID)}, "thread"},
		{"no thread", notice.Draft{Level: notice.LevelInfo, TextEN: "x", Thread: "nonsense"}, "thread"},
		{"a text too long", notice.Draft{Level: notice.LevelInfo, TextDE: string(make([]byte, 501))}, "text_de"},
	}
	for _, c := range bad {
		_, err := svc.Publish(ctx, fx.Agent, c.draft)
		if fields, ok := validate.From(err); !ok || fields[c.field] == "" {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
	if _, err := svc.Publish(ctx, fx.Member, notice.Draft{Level: notice.LevelInfo, TextEN: "x"}); !errors.Is(err, notice.ErrForbidden) {
		t.Errorf("a member publishes: %v, want ErrForbidden", err)
	}

	outage, err := svc.Publish(ctx, fx.Agent, notice.Draft{Level: notice.LevelOutage, TextEN: "Outage in Hamburg since 14:00.",
		TextDE: "Störung in Hamburg seit 14:00.", Thread: "#" + itoa(known.ID), EndsAt: in(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, fx.Moderator, notice.Draft{Level: notice.LevelInfo, TextEN: "Maintenance tonight.", StartsAt: clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	live := func() []string {
		t.Helper()
		ns, err := svc.Live(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range ns {
			out = append(out, n.Text("de"))
		}
		return out
	}
	if got := live(); len(got) != 1 || got[0] != "Störung in Hamburg seit 14:00." {
		t.Errorf("live at 14:00: %q", got)
	}
	clock.Add(61 * time.Minute) // the maintenance notice starts; the outage goes on
	if got := live(); len(got) != 2 || got[0] != "Störung in Hamburg seit 14:00." || got[1] != "Maintenance tonight." {
		t.Errorf("live at 15:01 (outage first, English where no German): %q", got)
	}
	clock.Add(time.Hour) // 16:01: the outage's end has passed
	if got := live(); len(got) != 1 || got[0] != "Maintenance tonight." {
		t.Errorf("live at 16:01: %q", got)
	}
	if outage.ThreadID == nil || *outage.ThreadID != known.ID {
		t.Errorf("the outage links to %v, want thread %d", outage.ThreadID, known.ID)
	}
	recent, err := svc.Recent(ctx, 10)
	if err != nil || len(recent) != 2 {
		t.Fatalf("recent: %v, %v", recent, err)
	}
	if err := svc.End(ctx, fx.Member, recent[0].ID); !errors.Is(err, notice.ErrForbidden) {
		t.Errorf("a member ends a notice: %v", err)
	}
	if err := svc.End(ctx, fx.Agent, recent[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := live(); len(got) != 0 {
		t.Errorf("live after ending the maintenance notice: %q", got)
	}
	if err := svc.End(ctx, fx.Agent, 999999); !errors.Is(err, notice.ErrNotFound) {
		t.Errorf("ending no notice: %v", err)
	}
	var actions []string
	a.DB.Reader(ctx).Raw("SELECT action FROM audit_log WHERE action LIKE 'notice.%' ORDER BY id").Scan(&actions)
	if len(actions) != 3 || actions[2] != "notice.end" {
		t.Errorf("audit: %v, want two publications and an end", actions)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
