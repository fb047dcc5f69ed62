package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

// scriptsOff turns JavaScript off in b's tab, as a visitor with it disabled has it.
func (b *tab) scriptsOff() {
	b.t.Helper()
	b.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
}

// TestBrowserReviewQueueWithoutJavaScript is the review queue's flow with plain
// forms: a moderator without JavaScript rejects one newcomer's post with a reason,
// edits another from the queue and approves it with the buttons; the thread page
// shows the approved one only, and /mod/audit both decisions with the reason.
func TestBrowserReviewQueueWithoutJavaScript(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation, c.ReviewFirstPosts = 20, 0 }})
	bctx := context.Background()
	known, err := srv.App.Threads.Create(bctx, srv.Fixtures.Agent, thread.Ask{BoardID: newBoard(t, srv, "internet", nil).ID,
		Title: "Router keeps restarting every night", Body: "Since the update at 3 am."})
	if err != nil {
		t.Fatal(err)
	}
	spam, err := srv.App.Threads.Reply(bctx, srv.Fixtures.Other, known.ID, "Cheap routers at [shop](https://shop.example)")
	if err != nil || !spam.Pending {
		t.Fatalf("a newcomer's link: %+v, %v; want it held", spam, err)
	}
	good, err := srv.App.Threads.Reply(bctx, srv.Fixtures.Member, known.ID, "Turn off automatic updates: [guide](https://help.example/updates)")
	if err != nil || !good.Pending {
		t.Fatalf("a newcomer's link: %+v, %v; want it held", good, err)
	}

	threadPath := fmt.Sprintf("/t/%d/%s", known.ID, known.Slug)
	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.scriptsOff()
	b.open("/login")
	b.signIn("mia_mod", "/")
	b.open("/mod/queue")
	b.wantContains("the queue", "main", "Cheap routers", "Turn off automatic updates", "@otto", "@mara")
	b.do("open the menu", openMenu)
	b.wantText("the number waiting", queueCount, "2")
	b.wantAbsent("the keyboard hint, shown only with JavaScript", ".queue-keys:not([hidden])")

	b.do("give a reason", chromedp.SendKeys(chromedp.ID(fmt.Sprintf("reason-%d", spam.ID)), "Advertising"))
	b.navigate("reject with the button", "/mod/queue",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#q%d form[action$="/reject"] button`, spam.ID))))
	b.wantNotice("The post has been rejected.")
	// The moderator tidies the good answer before approving it: Edit leads to the
	// post's edit form and back to the thread, where it still waits.
	b.navigate("follow Edit", fmt.Sprintf("/p/%d/edit", good.ID),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#q%d a[href$="/edit"]`, good.ID))))
	b.do("rewrite the answer",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('body').select()`),
		chromedp.SendKeys(chromedp.ID("body"), "Turn off automatic updates in the router's settings."))
	b.navigate("save the edit", threadPath, chromedp.Click(chromedp.CSS(editSubmit)))
	b.open("/mod/queue")
	b.wantContains("the edited answer in the queue", fmt.Sprintf("#q%d", good.ID), "in the router's settings")
	b.wantContains("a way to the author's restrictions", fmt.Sprintf(`#q%d a[href="/u/mara#restrict-heading"]`, good.ID), "Suspend or silence")
	b.navigate("approve with the button", "/mod/queue",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#q%d form[action$="/approve"] button`, good.ID))))
	b.wantNotice("The post was approved and is now public.")
	b.do("open the menu", openMenu)
	b.wantText("the number waiting after", queueCount, "0")

	b.open(threadPath)
	b.wantContains("the thread page", "main", "in the router's settings")
	// Moderators see removed posts, marked; everyone else does not see them.
	if !evaluate[bool](b, fmt.Sprintf(`document.querySelector('#p%d').classList.contains('deleted')`, spam.ID)) {
		t.Error("the rejected post is not marked removed for the moderator")
	}
	if r := srv.Client(t).Get(threadPath); strings.Contains(r.Body, "Cheap routers") {
		t.Error("a guest sees the rejected post")
	}
	b.open("/mod/audit")
	b.wantContains("the audit log", "table", "Rejected a post", "Advertising", "@otto", "Approved a post", "@mara")
}

// TestBrowserSuspendSpammer: a moderator suspends a spammer from the profile
// page; the spammer, signed in meanwhile in a browser of their own, is signed
// out; signing in again, every page says until when and why, and an answer is
// refused with the same words.
func TestBrowserSuspendSpammer(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	bctx := context.Background()
	th, err := srv.App.Threads.Create(bctx, srv.Fixtures.Member, thread.Ask{BoardID: newBoard(t, srv, "mobile", nil).ID,
		Title: "eSIM activation fails on a new phone", Body: "The QR code is refused."})
	if err != nil {
		t.Fatal(err)
	}
	threadPath := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)

	// otto, the spammer, is signed in in a browser context of his own.
	octx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(octx); err != nil {
		t.Fatalf("open a tab in a new browser context: %v", err)
	}
	o := &tab{t: t, ctx: octx, base: srv.URL}
	o.open("/login")
	o.signIn("otto", "/")

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn("mia_mod", "/")
	b.open("/u/otto")
	b.do("write the reason", chromedp.SendKeys(chromedp.ID("reason"), "Advertising in every answer"))
	b.navigate("suspend", "/u/otto", chromedp.Click(chromedp.CSS(`form[action="/u/otto/restrict"] button[type=submit]`)))
	b.wantNotice("The member's restrictions have been saved.")
	b.wantContains("the profile", "main", "Suspended until further notice", "Advertising in every answer")

	o.open(threadPath)
	o.wantSignedOut("Sign in")
	o.open("/login")
	o.signIn("otto", "/")
	o.wantContains("the banner", ".restriction", "Your account is suspended until further notice", "Advertising in every answer")
	o.open(threadPath)
	o.do("write an answer", chromedp.SendKeys(chromedp.CSS(`form[action$="/reply"] #body`), "Buy cheap eSIMs at my shop"))
	sctx, cancel := context.WithTimeout(octx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(replySubmit)))
	if err != nil || resp.Status != 403 {
		t.Fatalf("send the answer: %v, %v; want a 403 page", resp, err)
	}
	o.wantContains("the refusal", "main", "Your account is suspended until further notice", "Advertising in every answer")
	if n, err := srv.App.Threads.Get(bctx, th.ID); err != nil || n.AnswerCount != 0 {
		t.Errorf("the thread after the refused answer: %+v, %v; want no answers", n, err)
	}

	b.open("/mod/audit")
	b.wantContains("the audit log", "table", "Restricted a member", "@otto", "Advertising in every answer")
}
