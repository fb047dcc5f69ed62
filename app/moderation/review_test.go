package moderation_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/thread"
)

func listed(t *testing.T, e *env) []int64 {
	t.Helper()
	page, err := e.threads.List(context.Background(), thread.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, l := range page.Threads {
		ids = append(ids, l.ID)
	}
	return ids
}

// TestNewcomerReview follows a newcomer's first question through review: only
// they and moderators see it until a moderator approves it; a post with a link
// waits too; a member with reputation posts straight away.
func TestNewcomerReview(t *testing.T) {
	e := setup(t)
	e.threads.SetLedger(nil, thread.Privileges{TrustReputation: 20, ReviewFirstPosts: 1, NewcomerPostsPerDay: 4})
	ctx := context.Background()
	newcomer, other, mod := e.fx.Member, e.fx.Other, e.fx.Moderator
	th := e.ask(t, newcomer, "My first question about the router")
	if !th.Pending {
		t.Fatal("a newcomer's first question was published without review")
	}
	if slices.Contains(listed(t, e), th.ID) {
		t.Error("a question waiting for review is listed")
	}
	if _, err := e.threads.View(ctx, other, th.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("another member sees a question waiting for review: %v", err)
	}
	if _, err := e.threads.View(ctx, nil, th.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("a guest sees a question waiting for review: %v", err)
	}
	for _, u := range []string{"author", "moderator"} {
		viewer := newcomer
		if u == "moderator" {
			viewer = mod
		}
		if _, err := e.threads.View(ctx, viewer, th.ID); err != nil {
			t.Errorf("the %s cannot see the question waiting for review: %v", u, err)
		}
	}
	page, err := e.threads.Posts(ctx, mod, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Approve(ctx, other, page.Question.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member approved a post: %v", err)
	}
	if _, err := e.s.Approve(ctx, mod, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(listed(t, e), th.ID) {
		t.Error("the approved question is not listed")
	}

	// The newcomer's next post is out at once, unless it carries a link.
	plain, err := e.threads.Reply(ctx, newcomer, th.ID, "More details: it happens at 8 pm.")
	if err != nil || plain.Pending {
		t.Fatalf("second post: pending %v, err %v", plain != nil && plain.Pending, err)
	}
	link, err := e.threads.Reply(ctx, newcomer, th.ID, "See https://example.com/cheap-routers")
	if err != nil || !link.Pending {
		t.Fatalf("post with a link: pending %v, err %v", link != nil && link.Pending, err)
	}
	page, err = e.threads.Posts(ctx, other, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range page.Answers {
		if a.ID == link.ID {
			t.Error("another member sees an answer waiting for review")
		}
	}
	if got, _ := e.threads.Get(ctx, th.ID); got.AnswerCount != 1 {
		t.Errorf("answer count %d counts posts waiting for review", got.AnswerCount)
	}

	// Four posts a day: the fifth is refused until a day has passed.
	if _, err := e.threads.Reply(ctx, newcomer, th.ID, "Fourth post today."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.threads.Reply(ctx, newcomer, th.ID, "Fifth post today."); !errors.Is(err, thread.ErrDailyLimit) {
		t.Errorf("fifth post in a day: %v", err)
	}
	e.clock.Add(25 * time.Hour)
	if _, err := e.threads.Reply(ctx, newcomer, th.ID, "A new day."); err != nil {
		t.Errorf("after a day: %v", err)
	}

	// Staff and members with reputation are no newcomers.
	trusted := *other
	trusted.Reputation = 20
	if p, err := e.threads.Reply(ctx, &trusted, th.ID, "See https://example.com/manual"); err != nil || p.Pending {
		t.Errorf("trusted member's link: pending %v, err %v", p != nil && p.Pending, err)
	}
}
