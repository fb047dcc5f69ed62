package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

// TestReviewQueue: a newcomer's posts wait in /mod/queue, counted in the
// moderators' header; a moderator approves one and rejects the other with plain
// forms; members and agents are refused, guests sent to sign in.
func TestReviewQueue(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation, c.ReviewFirstPosts = 20, 1 }})
	ctx := context.Background()
	b := &board.Board{Slug: "internet", NameEN: "Internet", NameDE: "Internet"}
	if err := srv.App.Boards.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	known, err := srv.App.Threads.Create(ctx, srv.Fixtures.Agent, thread.Ask{BoardID: b.ID, Title: "Known issue: DSL outage in Hamburg", Body: "We are on it."})
	if err != nil {
		t.Fatal(err)
	}
	// A newcomer's first question and a newcomer's link wait for review.
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi every evening", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	spam, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, known.ID, "Cheap routers at [shop](https://spam.example)")
	if err != nil {
		t.Fatal(err)
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	r := mod.Get("/mod/queue")
	mustContain(t, r, "Review queue", `<span class="count">2</span>`, "Router drops Wi-Fi every evening", "@mara", "@otto",
		`<a href="https://spam.example"`, "0 published posts")
	page, err := srv.App.Threads.Posts(ctx, srv.Fixtures.Moderator, mustThread(t, srv, th.ID), 1)
	if err != nil {
		t.Fatal(err)
	}
	if r := mod.Post(fmt.Sprintf("/p/%d/approve", page.Question.ID), form("from", "queue")); r.StatusCode != http.StatusOK ||
		!strings.Contains(r.Body, "Review queue") {
		t.Fatalf("approve from the queue: %d\n%s", r.StatusCode, r.Body)
	}
	r = mod.Post(fmt.Sprintf("/p/%d/reject", spam.ID), form("reason", "Advertising is not allowed."))
	mustContain(t, r, "The post has been rejected.", "Nothing waits for review.", `<span class="count">0</span>`)
	r = mod.Post(fmt.Sprintf("/p/%d/reject", spam.ID), form("reason", "again"))
	if r.StatusCode != http.StatusConflict {
		t.Errorf("rejecting a decided post: %d, want 409", r.StatusCode)
	}
	mustContain(t, r, "no longer waits for review")
	guest := srv.Client(t)
	mustContain(t, guest.Get(fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)), "Router drops Wi-Fi every evening")
	r = guest.Get(fmt.Sprintf("/t/%d/%s", known.ID, known.Slug))
	if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "spam.example") {
		t.Error("the rejected answer shows on the thread page")
	}
	mustContain(t, mod.Get("/mod/audit"), "Approved a post", "Rejected a post", "Advertising is not allowed.")

	// Without the form token nothing is decided.
	spam2, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, known.ID, "More at [shop](https://spam.example)")
	if err != nil {
		t.Fatal(err)
	}
	if r := mod.Post(fmt.Sprintf("/p/%d/reject", spam2.ID), form("_csrf", "forged", "reason", "x")); r.StatusCode != http.StatusForbidden {
		t.Errorf("a reject without the CSRF token: %d, want 403", r.StatusCode)
	}
	for _, h := range []string{"mara", "sam_agent"} {
		c := srv.Client(t)
		c.Login(h, apptest.Password)
		c.NoRedirects()
		if r := c.Get("/mod/queue"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s gets the queue: %d, want 403", h, r.StatusCode)
		}
		c.Get("/")
		if r := c.Post(fmt.Sprintf("/p/%d/reject", spam2.ID), form("reason", "x")); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s rejects: %d, want 403", h, r.StatusCode)
		}
	}
	if p, _ := srv.App.Threads.GetPost(ctx, spam2.ID); p.DeletedAt != nil || !p.Pending {
		t.Errorf("a refused reject changed the post: %+v", p)
	}
	if r := srv.Client(t).NoRedirects().Get("/mod/queue"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("a guest gets the queue: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func mustThread(t *testing.T, srv *apptest.Server, id int64) *thread.Thread {
	t.Helper()
	th, err := srv.App.Threads.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// TestSpamRulesHoldPosts: what the spam rules catch from a trusted member goes
// to the review queue with the reason, not onto the thread page.
func TestSpamRulesHoldPosts(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.SpamMaxLinks, c.SpamBlockWords = 1, []string{"casino"}
		c.SpamNewAccount.Duration, c.SpamRepeat.Duration = 24*time.Hour, 24*time.Hour
	}})
	ctx := context.Background()
	th := seedThread(t, srv)
	otto := srv.Fixtures.Other // minutes old, no newcomer (trust is 0 in tests)
	for _, c := range []struct{ body, reason string }{
		{"Restart the router, then wait two minutes.", ""},
		{"Restart the router, then wait two minutes.", "the same text as another post"},
		{"Try the Casino bonus.", "a word of the block list"},
		{"See [one](https://a.example) and [two](https://b.example).", "more links than a post may hold"},
		{"See [the manual](https://a.example).", "a link from an account less than a day old"},
	} {
		p, err := srv.App.Threads.Reply(ctx, otto, th.ID, c.body)
		if err != nil {
			t.Fatal(err)
		}
		if held := p.Pending; held != (c.reason != "") {
			t.Errorf("%q: held %v, want %v", c.body, held, c.reason != "")
		}
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	mustContain(t, mod.Get("/mod/queue"), `<span class="count">4</span>`, "the same text as another post", "a word of the block list",
		"more links than a post may hold", "a link from an account less than a day old")
	if r := srv.Client(t).Get(fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)); strings.Contains(r.Body, "Casino") {
		t.Error("a held post shows on the thread page")
	}
}
