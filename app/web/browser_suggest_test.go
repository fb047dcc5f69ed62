package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/thread"
)

const (
	suggestThreadTitle = "Router keeps dropping the wifi connection"
	suggestAnswer      = "Update the **firmware** to 7.2 and restart the router."
	suggestExcerpt     = "Update the firmware to 7.2 and restart the router."
)

// newSuggestThread creates a board and an answered thread in it, and waits until
// the search index finds the thread.
func newSuggestThread(t *testing.T, srv *apptest.Server) (*board.Board, *thread.Thread) {
	t.Helper()
	bg := context.Background()
	brd := newBoard(t, srv, "network", func(b *board.Board) { b.NameEN, b.NameDE = "Network and Wi-Fi", "Netzwerk und WLAN" })
	th, err := srv.App.Threads.Create(bg, srv.Fixtures.Member, thread.Ask{BoardID: brd.ID, Title: suggestThreadTitle,
		Body: "Every evening the connection is gone for a few minutes.", Language: "en"})
	if err != nil {
		t.Fatalf("create thread: %v", err)
	}
	if _, err := srv.App.Threads.Reply(bg, srv.Fixtures.Agent, th.ID, suggestAnswer); err != nil {
		t.Fatalf("answer thread: %v", err)
	}
	c := srv.Client(t)
	eventually(t, "the thread is found", func() bool {
		return strings.Contains(c.Get("/search?q=router").Body, fmt.Sprintf("/t/%d/", th.ID))
	})
	return brd, th
}

// TestBrowserSuggestWhileTyping types a question's title on the ask page with
// JavaScript on: from three words, app.js fetches /suggest and shows the existing
// thread under the title, with its answer's excerpt, marks the form as confirmed
// (so no "before you post" step follows), and the suggestion leads to the thread.
func TestBrowserSuggestWhileTyping(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	_, th := newSuggestThread(t, srv)
	threadURL := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn(srv.Fixtures.Other.Handle, "/")
	b.open("/ask")
	b.wantLang("en", "Ask the community")
	if got := b.eval(`document.getElementById('confirm').value`); got != "" {
		t.Errorf("#confirm = %q before anything was typed, want empty", got)
	}
	b.wantAbsent("suggestions before typing", `#live-suggestions [data-suggestion]`)

	b.do("type the title", chromedp.SendKeys(chromedp.ID("title"), "my wifi keeps dropping"))
	const link = `#live-suggestions a[data-suggestion]`
	b.do("wait for the live suggestions", chromedp.WaitVisible(chromedp.CSS(link)))
	b.wantText("live suggestions heading", "#live-suggestions h2", "Do these answer your question?")
	if n := evaluate[int](b, `document.querySelectorAll('#live-suggestions [data-suggestion]').length`); n != 1 {
		t.Errorf("%d live suggestions, want 1", n)
	}
	b.wantText("suggested thread", link, suggestThreadTitle)
	href := b.eval(`document.querySelector('` + link + `').getAttribute('href')`)
	if !strings.HasPrefix(href, threadURL+"?ask=") || b.eval(`document.querySelector('`+link+`').target`) != "_blank" {
		t.Errorf("suggestion links to %q, want %s?ask=… in a new tab", href, threadURL)
	}
	if got := b.eval(`document.querySelector('` + link + `').dataset.suggestion`); got != fmt.Sprint(th.ID) {
		t.Errorf("data-suggestion = %q, want %d", got, th.ID)
	}
	b.wantText("suggested thread's answer", "#live-suggestions li .excerpt", suggestExcerpt)
	b.wantText("suggested thread's board", "#live-suggestions li .meta", "Network and Wi-Fi")
	if got := b.eval(`document.getElementById('confirm').value`); got != "1" {
		t.Errorf("#confirm = %q after suggestions were shown, want 1", got)
	}

	// The link opens a new tab; this tab stands in for it.
	b.open(href)
	b.wantText("thread title", "main h1", suggestThreadTitle)
	b.wantContains("the answer", "article.thread", suggestExcerpt)
	b.wantText("did this solve it", "aside.deflect h2", "You came here from your question. Did this solve your problem?")
	b.navigate("this solved my problem", threadURL, chromedp.Click(chromedp.CSS(`aside.deflect button`)))
	b.wantNotice("Glad it helped! We counted it, so the next customer finds this answer faster.")
	wantRate(t, srv, deflection.Rate{Started: 1, Deflected: 1, Rate: 1})
	var aliases []string
	if err := srv.App.DB.Reader(context.Background()).Table("thread_aliases").Where("thread_id = ?", th.ID).Pluck("text", &aliases).Error; err != nil {
		t.Fatal(err)
	}
	if len(aliases) != 1 || aliases[0] != "my wifi keeps dropping" {
		t.Errorf("the thread learned the aliases %q, want the title typed", aliases)
	}
}

// wantRate checks the deflection rate of today's asks.
func wantRate(t *testing.T, srv *apptest.Server, want deflection.Rate) {
	t.Helper()
	now := time.Now().UTC()
	got, err := srv.App.Deflect.DeflectionRate(context.Background(), now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("deflection rate %+v, want %+v", got, want)
	}
}

// TestBrowserBeforeYouPostWithoutJavaScript asks with scripts off: the first
// submit shows the "before you post" step with the existing thread and the form
// as typed, posts nothing, and offers "No, post my question", which posts it.
func TestBrowserBeforeYouPostWithoutJavaScript(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	brd, th := newSuggestThread(t, srv)
	threadURL := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	bg := context.Background()
	const (
		title = "My wifi keeps dropping every day"
		body  = "Since Monday the laptop loses the network every hour."
	)

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	b.open("/login")
	b.signIn(srv.Fixtures.Other.Handle, "/")
	b.open("/ask")
	b.wantLang("en", "Ask the community")
	b.do("choose the board", chromedp.SendKeys(chromedp.ID("board"), "n"))
	if got, want := b.eval(`document.getElementById('board').value`), fmt.Sprint(brd.ID); got != want {
		t.Fatalf("board select = %q, want %q", got, want)
	}
	b.do("type title and question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), body),
	)
	b.wantAbsent("live suggestions without JavaScript", `#live-suggestions [data-suggestion]`)
	b.wantText("ask button", askSubmit, "Post question")

	// The first submit shows the step instead of posting.
	b.navigate("post the question", "/ask", chromedp.Click(chromedp.CSS(askSubmit)))
	b.wantText("before-you-post heading", "section.before-you-post h2", "Before you post — do these answer your question?")
	const link = `section.before-you-post a[data-suggestion]`
	if n := evaluate[int](b, `document.querySelectorAll('`+link+`').length`); n != 1 {
		t.Errorf("%d suggestions before posting, want 1", n)
	}
	b.wantText("suggested thread", link, suggestThreadTitle)
	href := b.eval(`document.querySelector('` + link + `').getAttribute('href')`)
	if !strings.HasPrefix(href, threadURL+"?ask=") {
		t.Errorf("suggestion links to %q, want %s?ask=…", href, threadURL)
	}
	b.wantText("suggested thread's answer", "section.before-you-post li .excerpt", suggestExcerpt)
	if got := b.eval(`document.getElementById('title').value`); got != title {
		t.Errorf("title field = %q after the step, want %q", got, title)
	}
	if got := b.eval(`document.getElementById('body').value`); got != body {
		t.Errorf("body field = %q after the step, want %q", got, body)
	}
	if got, want := b.eval(`document.getElementById('board').value`), fmt.Sprint(brd.ID); got != want {
		t.Errorf("board select = %q after the step, want %q", got, want)
	}
	if got := b.eval(`document.getElementById('confirm').value`); got != "1" {
		t.Errorf("#confirm = %q on the step, want 1", got)
	}
	if list, err := srv.App.Threads.List(bg, thread.Query{}); err != nil {
		t.Fatalf("list threads: %v", err)
	} else if len(list.Threads) != 1 {
		t.Fatalf("%d threads after the first submit, want 1: the question was posted before the step", len(list.Threads))
	}
	b.wantText("post-anyway button", askSubmit, "No, post my question")

	// The suggestion, opened in a second tab of the same browser, solved it…
	tctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tctx); err != nil { // open the tab now, for as long as tctx lives
		t.Fatalf("open a second tab: %v", err)
	}
	second := &tab{t: t, ctx: tctx, base: srv.URL}
	second.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	second.open(href)
	second.navigate("this solved my problem", threadURL, chromedp.Click(chromedp.CSS(`aside.deflect button`)))
	second.wantNotice("Glad it helped! We counted it, so the next customer finds this answer faster.")
	wantRate(t, srv, deflection.Rate{Started: 1, Deflected: 1, Rate: 1})

	// The second submit posts it.
	path := b.navigateTo("post the question anyway", regexp.MustCompile(`^/t/\d+/my-wifi-keeps-dropping-every-day$`),
		chromedp.Click(chromedp.CSS(askSubmit)))
	b.wantNotice("Your question is online. You will see answers here.")
	// …but the question was posted all the same: not deflected.
	wantRate(t, srv, deflection.Rate{Started: 1, Posted: 1})
	b.wantText("thread title", "main h1", title)
	b.wantContains("question", "article.thread section.post .post-body", body)
	list, err := srv.App.Threads.List(bg, thread.Query{})
	if err != nil {
		t.Fatalf("list threads: %v", err)
	}
	if len(list.Threads) != 2 {
		t.Fatalf("%d threads after posting, want 2", len(list.Threads))
	}
	found := false
	for _, lt := range list.Threads {
		if fmt.Sprintf("/t/%d/%s", lt.ID, lt.Slug) == path {
			found = true
			if lt.Title != title || lt.BoardID != brd.ID {
				t.Errorf("new thread: title %q board %d, want %q in board %d", lt.Title, lt.BoardID, title, brd.ID)
			}
		}
	}
	if !found {
		t.Errorf("no thread at %s in the list", path)
	}
}
