package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

// TestBrowserMentionAndNotification: otto answers mara's question in Chromium,
// picks @mara from the handles the editor offers after "@ma", and posts; mara
// signs in, sees the count in the header, and the notification leads her to
// the answer, whose @mara links to her profile.
func TestBrowserMentionAndNotification(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation = 0 }})
	q, err := srv.App.Threads.Create(context.Background(), srv.Fixtures.Member, thread.Ask{BoardID: newBoard(t, srv, "internet", nil).ID,
		Title: "Router drops Wi-Fi every evening", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	threadPath := fmt.Sprintf("/t/%d/%s", q.ID, q.Slug)

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn("otto", "/")
	b.open(threadPath)
	b.do("type a mention",
		chromedp.SendKeys(chromedp.CSS("#body"), "Hello @ma"),
		chromedp.WaitVisible(chromedp.CSS(`#body-mentions li[aria-selected="true"]`)),
	)
	b.wantText("the offered handle", `#body-mentions li[aria-selected="true"]`, "@mara")
	b.do("choose it", chromedp.Click(chromedp.CSS(`#body-mentions li[aria-selected="true"]`)), chromedp.SendKeys(chromedp.CSS("#body"), "switch off the night mode."))
	if got := b.eval(`document.querySelector("#body").value`); got != "Hello @mara switch off the night mode." {
		t.Fatalf("the answer box holds %q", got)
	}
	b.navigate("post the answer", threadPath, chromedp.Click(chromedp.CSS(replySubmit)))
	b.navigate("sign out", "/", openMenu, chromedp.Click(chromedp.CSS(logoutButton)))

	b.open("/login")
	b.signIn("mara", "/")
	if !apptest.Eventually(5*time.Second, func() bool {
		b.open("/")
		return strings.Contains(b.text(".notifications-link"), "2")
	}) {
		t.Fatalf("mara's header: %q, want two unread notifications (the answer, and the badge of her first question)", b.text(".notifications-link"))
	}
	b.navigate("open the notifications", "/notifications", chromedp.Click(chromedp.CSS(".notifications-link")))
	b.wantText("the newest notification", ".notification.unread a", "otto answered your question “Router drops Wi-Fi every evening”")
	b.navigate("open it", threadPath, chromedp.Click(chromedp.CSS(".notification.unread a")))
	if got := b.eval(`document.querySelector(".post-body a.mention").getAttribute("href")`); got != "/u/mara" {
		t.Errorf("the mention links to %q, want /u/mara", got)
	}
	if got := strings.Join(strings.Fields(b.text(".notifications-link")), " "); !strings.HasSuffix(got, " 1") {
		t.Errorf("after opening it the header says %q, want 1 unread (the badge)", got)
	}
}
