package moderation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

func TestWhoMayRestrictWhom(t *testing.T) {
	e := setup(t)
	fx := e.fx
	for _, c := range []struct {
		actor, target *user.User
		want          bool
	}{
		{fx.Moderator, fx.Member, true},
		{fx.Moderator, fx.Agent, true},
		{fx.Moderator, fx.Moderator, false}, // themselves
		{fx.Moderator, fx.Admin, false},
		{fx.Admin, fx.Moderator, true},
		{fx.Admin, fx.Admin, false},
		{fx.Agent, fx.Member, false},
		{fx.Member, fx.Other, false},
		{nil, fx.Member, false},
	} {
		if got := moderation.CanActOn(c.actor, c.target); got != c.want {
			name := "guest"
			if c.actor != nil {
				name = c.actor.Handle
			}
			t.Errorf("CanActOn(%s, %s) = %v, want %v", name, c.target.Handle, got, c.want)
		}
	}
	another, err := e.users().Register(context.Background(), user.Registration{Handle: "max_mod", Email: "max@example.com",
		Password: "correct horse battery", Role: user.RoleModerator, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	err = e.s.Restrict(context.Background(), fx.Moderator, another.ID, moderation.Restriction{Suspend: true, Reason: "x"}, e.clock.Now())
	if !errors.Is(err, moderation.ErrStaffTarget) {
		t.Errorf("a moderator suspends another: %v, want ErrStaffTarget", err)
	}
	err = e.s.Restrict(context.Background(), fx.Agent, fx.Member.ID, moderation.Restriction{Suspend: true, Reason: "x"}, e.clock.Now())
	if !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("an agent suspends: %v, want ErrForbidden", err)
	}
}

// TestSuspendAndSilence: a suspended member cannot write and is signed out, a
// silenced one's posts wait for review; lifting gives both back; each step is
// audited and an event.
func TestSuspendAndSilence(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	otto := e.fx.Other
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi every evening")
	answer, err := e.threads.Reply(ctx, otto, th.ID, "Restart it.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sessions.Create(ctx, otto.ID, "127.0.0.1", "test"); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	for _, c := range []struct {
		r     moderation.Restriction
		field string
	}{
		{moderation.Restriction{Suspend: true}, "reason"},
		{moderation.Restriction{Suspend: true, Reason: "spam", Until: ptr(now.Add(-time.Hour))}, "until"},
	} {
		err := e.s.Restrict(ctx, e.fx.Moderator, otto.ID, c.r, now)
		if errs, ok := validate.From(err); !ok || errs[c.field] == "" {
			t.Errorf("Restrict(%+v) = %v, want a problem with %s", c.r, err, c.field)
		}
	}

	week := now.Add(7 * 24 * time.Hour)
	if err := e.s.Restrict(ctx, e.fx.Moderator, otto.ID, moderation.Restriction{Suspend: true, Until: &week, Reason: " Advertising. "}, now); err != nil {
		t.Fatal(err)
	}
	otto = e.reload(t, otto)
	if !otto.Suspended(now) || !otto.SuspendedUntil.Equal(week) || otto.SuspendReason != "Advertising." || otto.Silenced(now) {
		t.Fatalf("after the suspension: %+v", otto)
	}
	if n := e.sessionCount(t, otto.ID); n != 0 {
		t.Errorf("%d sessions outlive the suspension", n)
	}
	_, err = e.threads.Reply(ctx, otto, th.ID, "Buy my router.")
	if !errors.Is(err, user.ErrSuspended) {
		t.Errorf("a suspended member replies: %v, want ErrSuspended", err)
	}
	if _, err := e.threads.Create(ctx, otto, thread.Ask{BoardID: e.board.ID, Title: "Cheap routers for sale", Body: "Buy."}); !errors.Is(err, user.ErrSuspended) {
		t.Errorf("a suspended member asks: %v", err)
	}
	if _, err := e.threads.Edit(ctx, otto, answer.ID, thread.Edit{Body: "Buy my router."}); !errors.Is(err, user.ErrSuspended) {
		t.Errorf("a suspended member edits: %v", err)
	}
	if _, _, err := e.threads.GiveKudos(ctx, otto, e.questionOf(t, th)); !errors.Is(err, user.ErrSuspended) {
		t.Errorf("a suspended member gives kudos: %v", err)
	}

	// Silenced without end: posts go to the queue.
	if err := e.s.Restrict(ctx, e.fx.Moderator, otto.ID, moderation.Restriction{Silence: true, Reason: "Links only"}, now); err != nil {
		t.Fatal(err)
	}
	otto = e.reload(t, otto)
	if otto.Suspended(now) || !otto.Silenced(now) || !otto.SilencedUntil.Equal(user.NoEnd) {
		t.Fatalf("after the silence: %+v", otto)
	}
	held, err := e.threads.Reply(ctx, otto, th.ID, "Try channel 6.")
	if err != nil || !held.Pending {
		t.Errorf("a silenced member's reply: %+v, %v; want it held", held, err)
	}
	if err := e.s.Restrict(ctx, e.fx.Moderator, otto.ID, moderation.Restriction{}, now); err != nil {
		t.Fatal(err)
	}
	otto = e.reload(t, otto)
	if otto.Suspended(now) || otto.Silenced(now) {
		t.Errorf("after lifting: %+v", otto)
	}
	if p, err := e.threads.Reply(ctx, otto, th.ID, "Channel 11 works too."); err != nil || p.Pending {
		t.Errorf("a member no longer restricted replies: %+v, %v", p, err)
	}

	log, err := audit.New(e.db, e.clock.Now).List(ctx, audit.Filter{Action: audit.Restrict}, 10)
	if err != nil || len(log.Entries) != 3 {
		t.Fatalf("audit log %+v, %v", log, err)
	}
	var changes [][2]string
	for i := len(log.Entries) - 1; i >= 0; i-- {
		changes = append(changes, [2]string{log.Entries[i].Before, log.Entries[i].After})
	}
	want := [][2]string{{"", "suspended until " + week.Format(time.DateOnly)}, {"suspended until " + week.Format(time.DateOnly), "silenced"}, {"silenced", ""}}
	if len(changes) != 3 || changes[0] != want[0] || changes[1] != want[1] || changes[2] != want[2] {
		t.Errorf("audit changes %v, want %v", changes, want)
	}
	var recs []outbox.Entry
	if err := e.db.Reader(ctx).Where("topic = ?", event.TopicRestricted).Order("id").Find(&recs).Error; err != nil || len(recs) != 3 {
		t.Fatalf("member.restricted records %d, %v", len(recs), err)
	}
	first, err := event.Decode[event.Restricted](recs[0])
	if err != nil || first.UserID != otto.ID || !first.SuspendedUntil.Equal(week) || first.Reason != "Advertising." || recs[0].ActorID != e.fx.Moderator.ID {
		t.Errorf("first member.restricted %+v by %d, %v", first, recs[0].ActorID, err)
	}
}

func ptr[T any](v T) *T { return &v }
