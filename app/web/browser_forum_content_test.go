package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/demo"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/notice"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// demoForum is the forum that the layout, accessibility and screenshot tests
// look at: the demo content of `schwarm serve --demo`, so that pages look as a
// visitor would see them, on top of the fixtures, plus what the demo lacks for
// every part of a page to show: a solved thread with four answers (the
// accepted one, an official one, one with a code block and a long address),
// an edited question, a flag in the review queue, a pinned thread in the audit
// log and an ended site notice.
type demoForum struct {
	srv   *apptest.Server
	users map[string]*user.User // the demo's accounts, by handle

	thread   string // the solved thread with every kind of post
	question int64  // its question's post, edited once
	board    string
}

const (
	demoThreadTitle = "Router keeps dropping Wi-Fi every evening"
	demoFlagTitle   = "Charged twice for the same month"
	demoPinTitle    = "Welcome to the community!"
	// demoCodeAnswer is the answer a narrow screen finds hardest: a code block
	// with long lines and an address with no place to break.
	demoCodeAnswer = "Same router here. The log under *System → Log* shows what happens at 8 pm:\n\n" +
		"```\n20:01:13 wlan0: DFS radar detected on channel 52, switching to channel 36 (80 MHz)\n" +
		"20:01:14 wlan0: AP-STA-DISCONNECTED 3c:22:fb:12:9a:7e reason=3 (deauth leaving)\n```\n\n" +
		"The vendor explains it here: https://support.example.com/homebox-3/wifi/troubleshooting/evening-disconnects-dfs-radar-detection-and-automatic-channel-change?lang=en&ref=community\n\n" +
		"Choosing a fixed channel below 52 stopped it for me."
	demoThanks = "Thanks everyone! Channel 6 on 2.4 GHz fixed it, no drops for three evenings now."
)

func newDemoForum(t *testing.T) *demoForum {
	t.Helper()
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	// Signed-in viewers switch language between pages through the service, not
	// the footer form: the pages must look up the viewer afresh to see it.
	srv.Web.ReadViewersAfresh()
	a, ctx := srv.App, context.Background()
	if err := demo.Write(ctx, demo.Services{Users: a.Users, Boards: a.Boards, Threads: a.Threads, Moderation: a.Moderation}); err != nil {
		t.Fatalf("write the demo content: %v", err)
	}
	f := &demoForum{srv: srv, users: map[string]*user.User{}, board: "/b/internet"}
	for _, r := range demo.Users {
		u, err := a.Users.GetByHandle(ctx, r.Handle)
		if err != nil {
			t.Fatalf("demo user %s: %v", r.Handle, err)
		}
		f.users[r.Handle] = u
	}
	list, err := a.Threads.List(ctx, thread.Query{Limit: 50})
	if err != nil {
		t.Fatalf("list the demo threads: %v", err)
	}
	byTitle := map[string]thread.Listed{}
	for _, th := range list.Threads {
		byTitle[th.Title] = th
	}
	th, ok := byTitle[demoThreadTitle]
	if !ok {
		t.Fatalf("no demo thread %q", demoThreadTitle)
	}
	f.thread = fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	for _, r := range []struct{ author, body string }{{"lukas", demoCodeAnswer}, {"ben", demoThanks}} {
		if _, err := a.Threads.Reply(ctx, f.users[r.author], th.ID, r.body); err != nil {
			t.Fatalf("answer as %s: %v", r.author, err)
		}
	}
	f.question = questionOf(t, srv, th.ID)
	if _, err := a.Threads.Edit(ctx, f.users["ben"], f.question, thread.Edit{Title: th.Title,
		Body:   "Since last week my **Wi-Fi drops** around 8 pm every day. Cable connection is fine.\n\nRouter model: HomeBox 3, firmware 7.1. Any ideas?",
		Reason: "Added the firmware version"}); err != nil {
		t.Fatalf("edit the question: %v", err)
	}
	flagged, ok := byTitle[demoFlagTitle]
	if !ok {
		t.Fatalf("no demo thread %q", demoFlagTitle)
	}
	if _, err := a.Moderation.Flag(ctx, srv.Fixtures.Other, questionOf(t, srv, flagged.ID), moderation.FlagInput{Kind: moderation.FlagModerator,
		Text: "The bank statement in this question shows the full account number; please remove it."}); err != nil {
		t.Fatalf("flag: %v", err)
	}
	if pinned, ok := byTitle[demoPinTitle]; !ok {
		t.Fatalf("no demo thread %q", demoPinTitle)
	} else if err := a.Moderation.Pin(ctx, f.users["moderator"], pinned.ID, "Start here"); err != nil {
		t.Fatalf("pin: %v", err)
	}
	// An ended notice fills the notices page without showing on every other one.
	n, err := a.Notices.Publish(ctx, f.users["agent"], notice.Draft{Level: notice.LevelOutage,
		TextEN: "Broadband outage in Hamburg-Altona: engineers are on site, service should be back by 6 pm.",
		TextDE: "Störung im Festnetz in Hamburg-Altona: Techniker sind vor Ort, bis 18 Uhr sollte alles wieder laufen.",
		Thread: fmt.Sprint(th.ID), StartsAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatalf("publish a notice: %v", err)
	}
	if err := a.Notices.End(ctx, f.users["agent"], n.ID); err != nil {
		t.Fatalf("end the notice: %v", err)
	}
	srv.Settle(t) // notifications of the answers, for the notification page
	apptest.AwaitIndex(t, a)
	return f
}

func questionOf(t *testing.T, srv *apptest.Server, threadID int64) int64 {
	t.Helper()
	var id int64
	if err := srv.App.DB.Reader(context.Background()).Raw("SELECT id FROM posts WHERE thread_id = ? AND is_question", threadID).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("question of thread %d: %d, %v", threadID, id, err)
	}
	return id
}

// viewer is who looks at the pages: a guest, or a demo account signed in
// with the demo password.
type viewer struct {
	name   string
	handle string // "" for a guest
}

var (
	viewerGuest  = viewer{name: "guest"}
	viewerMember = viewer{name: "member", handle: "ben"}
	viewerAdmin  = viewer{name: "admin", handle: "admin"}
)

// openAs opens a tab of its own (a browser context of its own, so no cookie
// is shared) and signs v in there.
func (f *demoForum) openAs(t *testing.T, ctx context.Context, v viewer) *tab {
	t.Helper()
	vctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(vctx); err != nil {
		t.Fatalf("open a tab for the %s: %v", v.name, err)
	}
	b := &tab{t: t, ctx: vctx, base: f.srv.URL}
	if v.handle == "" {
		return b
	}
	b.open("/login")
	b.do("fill in the sign-in form as "+v.handle,
		chromedp.SendKeys(chromedp.ID("login"), v.handle),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
	)
	b.navigate("sign in as "+v.handle, "/", chromedp.Click(chromedp.CSS(loginSubmit)))
	if evaluate[int](b, `document.querySelectorAll('form[action="/logout"]').length`) == 0 {
		t.Fatalf("signed in as %s, but the page has no sign-out form", v.handle)
	}
	return b
}

// speak makes the pages that v sees next come in lang: a guest's choice is
// the language cookie that the footer links set, a member's the profile.
func (f *demoForum) speak(b *tab, v viewer, lang string) {
	b.t.Helper()
	if v.handle == "" {
		b.open("/language?lang=" + lang + "&next=/")
		return
	}
	if err := f.srv.App.Users.SetLocale(context.Background(), f.users[v.handle].ID, lang); err != nil {
		b.t.Fatalf("set %s's language to %s: %v", v.handle, lang, err)
	}
}
