package app_test

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
)

// TestSettingsReachEveryNode: moderation settings an admin saves on one node
// are in force on another serving the same database within seconds, and on a
// node that starts later from the start; a reset reaches them too.
func TestSettingsReachEveryNode(t *testing.T) {
	cfg := apptest.Config(t, func(c *config.Config) { c.SpamBlockWords = []string{"casino"} })
	ctx := context.Background()
	saver := apptest.NewApp(t, cfg)
	fx := apptest.Seed(t, saver.Users)
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := saver.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	other := apptest.NewApp(t, cfg) // the same data directory and database
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- other.Serve(sctx, ln, nil) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	// Serving, it read the settings at start: what follows reaches it only
	// by the reload.
	if !apptest.Eventually(20*time.Second, func() bool {
		nodes, err := outbox.LiveNodes(ctx, saver.DB)
		return err == nil && len(nodes) == 1
	}) {
		t.Fatal("the other node does not serve")
	}

	s, err := saver.Settings.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Spam.BlockWords = append(s.Spam.BlockWords, "lottery")
	if _, err := saver.Settings.Save(ctx, fx.Admin, s); err != nil {
		t.Fatal(err)
	}
	if got := saver.Threads.SpamRules().BlockWords; !slices.Equal(got, []string{"casino", "lottery"}) {
		t.Errorf("block words on the saving node %q, want casino and lottery at once", got)
	}
	start := time.Now()
	if !apptest.Eventually(10*time.Second, func() bool { return slices.Contains(other.Threads.SpamRules().BlockWords, "lottery") }) {
		t.Fatalf("the other node's block words after 10 s: %q", other.Threads.SpamRules().BlockWords)
	}
	t.Logf("the other node had the change after %v", time.Since(start).Round(time.Millisecond))
	th, err := other.Threads.Create(ctx, fx.Member, thread.Ask{BoardID: b.ID, Title: "Router drops the line", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	p, err := other.Threads.Reply(ctx, fx.Other, th.ID, "I won the Lottery, buy a new router.")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Pending || p.HeldReason != thread.HeldBlocked {
		t.Errorf("answer on the other node: pending %v, reason %q; want held for the blocked word", p.Pending, p.HeldReason)
	}

	later := apptest.NewApp(t, cfg)
	if got := later.Threads.SpamRules().BlockWords; !slices.Equal(got, []string{"casino", "lottery"}) {
		t.Errorf("block words of a node started after the save %q", got)
	}

	if _, err := saver.Settings.Reset(ctx, fx.Admin); err != nil {
		t.Fatal(err)
	}
	if !apptest.Eventually(10*time.Second, func() bool { return slices.Equal(other.Threads.SpamRules().BlockWords, []string{"casino"}) }) {
		t.Errorf("the other node's block words 10 s after a reset: %q, want the environment's", other.Threads.SpamRules().BlockWords)
	}
}
