package app_test

import (
	"context"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

// TestSplitOffTheSolutionPaysOnce: when a moderator splits the accepted answer
// off, it is withdrawn as a solution (its author's points and the asker's accept
// go back), so that the asker accepting another answer is paid once, not twice.
func TestSplitOffTheSolutionPaysOnce(t *testing.T) {
	a := apptest.NewApp(t, apptest.Config(t, nil))
	ctx := context.Background()
	fx := apptest.Seed(t, a.Users)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	must(a.Boards.Create(ctx, b))
	rep := func(id int64) int64 {
		u, err := a.Users.Get(ctx, id)
		must(err)
		return u.Reputation
	}
	q, err := a.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi every night", Body: "Since the update."})
	must(err)
	offTopic, err := a.Threads.Reply(ctx, fx.Agent, q.ID, "Your TV box needs a restart too.")
	must(err)
	good, err := a.Threads.Reply(ctx, fx.Admin, q.ID, "Switch the Wi-Fi channel to 6.")
	must(err)
	askerBefore, agentBefore := rep(fx.Member.ID), rep(fx.Agent.ID)
	_, err = a.Threads.Accept(ctx, fx.Member, offTopic.ID)
	must(err)
	_, err = a.Moderation.Split(ctx, fx.Moderator, q.ID, []int64{offTopic.ID}, "TV box loses its picture", b.ID, "another topic")
	must(err)
	if got := rep(fx.Agent.ID); got != agentBefore {
		t.Errorf("the split-off answer's author has %d, had %d before it was accepted", got, agentBefore)
	}
	_, err = a.Threads.Accept(ctx, fx.Member, good.ID)
	must(err)
	if got, want := rep(fx.Member.ID), askerBefore+int64(a.Config.Points["accept"]); got != want {
		t.Errorf("the asker has %d after accepting twice around a split, want %d (one accept)", got, want)
	}
}
