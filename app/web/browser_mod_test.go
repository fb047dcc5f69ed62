package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

// TestBrowserReviewQueueByKeyboard: a newcomer's post with a link lands in
// /mod/queue; a moderator approves it with the keyboard, and it appears on the
// thread page; /mod/audit shows who approved it.
func TestBrowserReviewQueueByKeyboard(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation, c.ReviewFirstPosts = 20, 0 }})
	bctx := context.Background()
	known, err := srv.App.Threads.Create(bctx, srv.Fixtures.Agent, thread.Ask{BoardID: newBoard(t, srv, "internet", nil).ID,
		Title: "Known issue: DSL outage in Hamburg", Body: "We are on it."})
	if err != nil {
		t.Fatal(err)
	}
	held, err := srv.App.Threads.Reply(bctx, srv.Fixtures.Other, known.ID, "Status page: [here](https://status.example)")
	if err != nil || !held.Pending {
		t.Fatalf("a newcomer's link: %+v, %v; want it held", held, err)
	}
	threadPath := fmt.Sprintf("/t/%d/%s", known.ID, known.Slug)

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn("mia_mod", "/")
	b.open("/mod/queue")
	b.wantContains("the queue", "main", "Status page", "@otto", "a link from a newcomer")
	b.do("open the menu", openMenu)
	b.wantText("the number waiting", queueCount, "1")
	b.wantContains("the keys, shown with JavaScript", ".queue-keys", "j and k")
	b.navigate("approve with the a key", "/mod/queue", chromedp.KeyEvent("a"))
	b.wantNotice("The post was approved and is now public.")
	b.do("open the menu", openMenu)
	b.wantText("the number waiting after", queueCount, "0")
	b.open(threadPath)
	b.wantContains("the thread page", "main", "Status page")
	b.open("/mod/audit")
	b.wantContains("the audit log", "table", "@mia_mod", "Approved a post", "@otto")
	if strings.Contains(b.text("table"), "Rejected") {
		t.Error("the audit log shows a rejection")
	}
}
