package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// TestBrowserFlagsHideAPost: three members flag an answer through the thread
// page's flag form; it disappears for a guest, waits in /mod/queue with the
// flags' texts, and is back on the thread page once a moderator approves it.
func TestBrowserFlagsHideAPost(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	bg := context.Background()
	q, err := srv.App.Threads.Create(bg, srv.Fixtures.Member, thread.Ask{BoardID: newBoard(t, srv, "internet", nil).ID,
		Title: "Router drops Wi-Fi every evening", Body: "Since Monday."})
	if err != nil {
		t.Fatal(err)
	}
	spam, err := srv.App.Threads.Reply(bg, srv.Fixtures.Other, q.ID, "Cheap routers at spam.example, buy now!")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"ann", "ben"} {
		if _, err := srv.App.Users.Register(bg, user.Registration{Handle: h, Email: h + "@example.com", Password: apptest.Password, Locale: "en"}); err != nil {
			t.Fatal(err)
		}
	}
	threadPath := fmt.Sprintf("/t/%d/%s", q.ID, q.Slug)
	post := fmt.Sprintf("#p%d ", spam.ID)

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	for _, h := range []string{"mara", "ann", "ben"} {
		b.open("/login")
		b.signIn(h, "/")
		b.open(threadPath)
		b.do("open the flag form as "+h,
			chromedp.Click(chromedp.CSS(post+"details.flag summary")),
			chromedp.Click(chromedp.CSS(post+`input[name=kind][value=spam]`)),
			chromedp.SendKeys(chromedp.CSS(post+`textarea[name=text]`), "advert by "+h),
		)
		b.navigate("flag as "+h, threadPath, chromedp.Click(chromedp.CSS(post+`form[action$="/flag"] button[type=submit]`)))
		b.wantNotice("Thanks, a moderator will look at it.")
		b.navigate("sign out "+h, "/", openMenu, chromedp.Click(chromedp.CSS(logoutButton)))
	}

	b.open(threadPath)
	if strings.Contains(b.text("main"), "spam.example") {
		t.Error("a guest still sees the answer three members flagged")
	}

	b.open("/login")
	b.signIn("mia_mod", "/")
	b.open("/mod/queue")
	b.wantContains("the queue", "main", "spam.example", "@otto", "hidden after members flagged it",
		"advert by mara", "advert by ann", "advert by ben", "Spam or advertising", "3 flags received, 0 upheld")
	b.do("open the menu", openMenu)
	b.wantText("the number waiting", queueCount, "1")
	b.navigate("approve", "/mod/queue", chromedp.Click(chromedp.CSS(`.queue-item form[action$="/approve"] button[type=submit]`)))
	b.wantNotice("The post was approved and is now public.")
	b.do("open the menu", openMenu)
	b.wantText("the number waiting after", queueCount, "0")
	b.navigate("sign out", "/", openMenu, chromedp.Click(chromedp.CSS(logoutButton)))

	b.open(threadPath)
	b.wantContains("the thread page for a guest", "main", "spam.example")
}
