package moderation_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

// TestQueueRejectAndApprove: the queue lists what waits, oldest first, with the
// author's standing; a rejection takes a post out with its reason, in the audit
// log and as an event; a decided post cannot be decided again.
func TestQueueRejectAndApprove(t *testing.T) {
	e := setup(t)
	e.threads.SetLedger(nil, thread.Privileges{TrustReputation: 20, ReviewFirstPosts: 1, NewcomerPostsPerDay: 10})
	ctx := context.Background()
	mod := e.fx.Moderator
	q := e.ask(t, e.fx.Member, "My first question about the router")     // held: a newcomer's first post
	agentQ := e.ask(t, e.fx.Agent, "Known issue: DSL outage in Hamburg") // staff: published
	a, err := e.threads.Reply(ctx, e.fx.Other, agentQ.ID, "Same here, see [status](https://example.com/status).")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Pending {
		t.Fatal("a newcomer's answer with a link was published")
	}
	page, err := e.s.Queue(ctx, mod, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	items := page.Items
	if len(items) != 2 || items[0].ThreadID != q.ID || !items[0].Question || items[1].PostID != a.ID || items[1].Question ||
		items[1].Handle != "otto" || !strings.Contains(items[1].HTML, `href="https://example.com/status"`) {
		t.Fatalf("queue %+v", items)
	}
	if n, err := e.s.Waiting(ctx); err != nil || n != 2 {
		t.Errorf("waiting %d, %v; want 2", n, err)
	}
	if _, err := e.s.Queue(ctx, e.fx.Agent, "", 10); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("an agent reads the queue: %v", err)
	}
	if _, err := e.s.Reject(ctx, e.fx.Agent, a.ID, "spam"); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("an agent rejects: %v", err)
	}
	if _, err := e.s.Reject(ctx, mod, a.ID, strings.Repeat("x", moderation.MaxReason+1)); err == nil {
		t.Error("a reason past MaxReason was taken")
	} else if _, ok := validate.From(err); !ok {
		t.Errorf("a long reason: %v, want a field error", err)
	}

	if _, err := e.s.Reject(ctx, mod, a.ID, "  Links to other sites wait for review.  "); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Reject(ctx, mod, a.ID, "again"); !errors.Is(err, moderation.ErrNotWaiting) {
		t.Errorf("rejecting twice: %v, want ErrNotWaiting", err)
	}
	if _, err := e.s.Approve(ctx, mod, a.ID); !errors.Is(err, moderation.ErrNotWaiting) {
		t.Errorf("approving a rejected post: %v, want ErrNotWaiting", err)
	}
	if page, _ := e.s.Queue(ctx, mod, "", 10); len(page.Items) != 1 || page.Items[0].ThreadID != q.ID {
		t.Errorf("queue after the rejection: %+v", page.Items)
	}
	p, err := e.threads.GetPost(ctx, a.ID)
	if err != nil || p.DeletedAt == nil {
		t.Errorf("the rejected post: %+v, %v; want it deleted", p, err)
	}
	log, err := audit.New(e.db, e.clock.Now).List(ctx, audit.Filter{Action: audit.RejectPost}, 10)
	if err != nil || len(log.Entries) != 1 || log.Entries[0].Reason != "Links to other sites wait for review." || *log.Entries[0].MemberID != e.fx.Other.ID {
		t.Errorf("audit log %+v, %v", log, err)
	}
	var rec outbox.Entry
	if err := e.db.Reader(ctx).Where("topic = ?", event.TopicPostRejected).Take(&rec).Error; err != nil {
		t.Fatal(err)
	}
	ev, err := event.Decode[event.PostRejected](rec)
	if want := (event.PostRejected{ThreadID: agentQ.ID, PostID: a.ID, AuthorID: e.fx.Other.ID, Reason: "Links to other sites wait for review."}); err != nil || ev != want || rec.ActorID != mod.ID {
		t.Errorf("post.rejected %+v by %d, %v; want %+v", ev, rec.ActorID, err, want)
	}
}

// Two moderators decide on one post at once: one decision wins, the other is
// told the post no longer waits, and the audit log has one row.
func TestTwoModeratorsDecideOnePost(t *testing.T) {
	e := setup(t)
	e.threads.SetLedger(nil, thread.Privileges{TrustReputation: 20, ReviewFirstPosts: 1, NewcomerPostsPerDay: 10})
	ctx := context.Background()
	q := e.ask(t, e.fx.Member, "My first question about the router")
	page, err := e.threads.Posts(ctx, e.fx.Moderator, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = e.s.Reject(ctx, e.fx.Moderator, page.Question.ID, "off topic") })
	wg.Go(func() { _, errs[1] = e.s.Reject(ctx, e.fx.Admin, page.Question.ID, "spam") })
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, moderation.ErrNotWaiting):
			t.Errorf("the losing moderator got %v, want ErrNotWaiting", err)
		}
	}
	log, err := audit.New(e.db, e.clock.Now).List(ctx, audit.Filter{}, 10)
	if err != nil || won != 1 || len(log.Entries) != 1 {
		t.Errorf("%d decisions won, audit log %+v (%v); want one of each", won, log, err)
	}
}
