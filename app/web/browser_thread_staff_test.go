package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
)

// TestBrowserMergeThreads: a moderator opens the staff panel on a thread page,
// merges the thread into another by its number, and lands on the target, which
// shows the moved answer; the old address leads there too, and /mod/audit
// shows the merge.
func TestBrowserMergeThreads(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	bctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	source, err := srv.App.Threads.Create(bctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi every night", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Threads.Reply(bctx, srv.Fixtures.Other, source.ID, "Switch the channel to six."); err != nil {
		t.Fatal(err)
	}
	target, err := srv.App.Threads.Create(bctx, srv.Fixtures.Other, thread.Ask{BoardID: b.ID, Title: "Wi-Fi gone at night since the update", Body: "Every night."})
	if err != nil {
		t.Fatal(err)
	}
	sourcePath, targetPath := fmt.Sprintf("/t/%d/%s", source.ID, source.Slug), fmt.Sprintf("/t/%d/%s", target.ID, target.Slug)

	tb := &tab{t: t, ctx: ctx, base: srv.URL}
	tb.open("/login")
	tb.signIn("mia_mod", "/")
	tb.open(sourcePath)
	mergeForm := fmt.Sprintf(`form[action="/t/%d/merge"]`, source.ID)
	tb.do("open the merge form and fill it in",
		chromedp.Click(chromedp.CSS(`details:has(`+mergeForm+`) > summary`)),
		chromedp.SendKeys(chromedp.ID("merge-target"), fmt.Sprintf("#%d", target.ID)),
		chromedp.SendKeys(chromedp.ID("merge-reason"), "the same problem"),
	)
	tb.navigate("merge", targetPath, chromedp.Click(chromedp.CSS(mergeForm+` button[type=submit]`)))
	tb.wantNotice("The threads were merged. The old address leads here.")
	tb.wantContains("the target", "main", "Switch the channel to six.", "Since Monday.", "was merged into this thread by a moderator", "the same problem")

	tb.open(sourcePath)
	if got := tb.path(); got != targetPath {
		t.Errorf("the old address ended at %s, want %s", got, targetPath)
	}
	tb.open("/mod/audit")
	tb.wantContains("the audit log", "table", "@mia_mod", "Merged a thread", "@mara")
}
