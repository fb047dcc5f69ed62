package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
)

// TestBrowserAcceptSolution: mara asks, otto answers and looks at his profile,
// mara accepts his answer as the solution and gives it kudos, and otto sees his
// rank and badges change. Ranks are lowered so that one solution moves him up.
func TestBrowserAcceptSolution(t *testing.T) {
	ctx := newBrowser(t) // first: it may skip, see newBrowser
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.Ranks = config.Ranks{{Name: "Newcomer", Min: 0}, {Name: "Helper", Min: 10}, {Name: "Expert", Min: 100}}
	}})
	brd := &board.Board{Slug: "mobile", NameEN: "Mobile", NameDE: "Mobilfunk"}
	if err := srv.App.Boards.Create(context.Background(), brd); err != nil {
		t.Fatal(err)
	}
	const title = "Is roaming in Switzerland included in my plan?"

	b := &tab{t: t, ctx: ctx, base: srv.URL}
	b.open("/login")
	b.signIn("mara", "/")
	b.open("/ask")
	b.do("ask", chromedp.SendKeys(chromedp.ID("board"), "m"), chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "Travelling to Zurich next month."))
	threadPath := b.navigateTo("post the question", regexp.MustCompile(`^/t/\d+/`), chromedp.Click(chromedp.CSS(askSubmit)))
	b.wantAbsent("solution box before any answer", "section.solution")

	octx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(octx); err != nil {
		t.Fatalf("open a tab in a new browser context: %v", err)
	}
	o := &tab{t: t, ctx: octx, base: srv.URL}
	o.open("/login")
	o.signIn("otto", "/")
	o.open(threadPath)
	o.do("write the answer", chromedp.SendKeys(chromedp.CSS(`form[action$="/reply"] #body`), "Switzerland is not in the EU: add the Travel option."))
	o.navigate("post the answer", threadPath, chromedp.Click(chromedp.CSS(replySubmit)))
	postID := strings.TrimPrefix(o.eval(`location.hash`), "#p")
	post := "section.post#p" + postID
	o.wantAbsent("accept button for someone else's question", post+` form[action$="/accept"]`)
	o.open("/u/otto")
	o.wantText("reputation after answering", "#reputation", "2")
	o.wantText("rank after answering", ".profile .rank-chip", "Newcomer")
	o.wantContains("badges after answering", "ul.medals", "First answer")
	if strings.Contains(o.text("main"), "Problem solver") {
		t.Error("otto has the solution badge before any solution")
	}

	// mara accepts otto's answer and gives it kudos.
	b.open(threadPath)
	b.wantText("accept button", post+` form[action$="/accept"] button`, "✓ Accept as solution")
	b.navigate("accept the answer", threadPath, chromedp.Click(chromedp.CSS(post+` form[action$="/accept"] button`)))
	b.wantNotice("Marked as the solution. Thanks for closing the loop!")
	b.wantText("solved mark", "p.solved-note .badge.solved", "Solved")
	b.wantContains("solution under the question", "section.solution", "Accepted solution", "otto", "Switzerland is not in the EU")
	b.wantText("solution label on the answer", post+" .badge.solved", "Accepted solution")
	b.navigate("give kudos", threadPath, chromedp.Click(chromedp.CSS(post+` form.kudos button`)))
	b.wantText("kudos count", post+" form.kudos .count", "1")
	b.do("jump to the answer", chromedp.Click(chromedp.CSS(`section.solution a[href$="#p`+postID+`"]`)))
	if got := b.eval(`location.hash`); got != "#p"+postID {
		t.Errorf("after the jump link, location.hash = %q", got)
	}
	b.open("/?tab=solved")
	b.wantContains("solved list", "ol.thread-list", title, "Solved")

	// otto sees what it earned him: +15 for the solution, +10 for the kudos.
	o.open("/u/otto")
	o.wantText("reputation after the solution", "#reputation", "27")
	o.wantText("rank after the solution", ".profile .rank-chip", "Helper")
	o.wantContains("badges after the solution", "ul.medals", "Problem solver", "First answer")
	o.open(threadPath)
	o.wantText("rank on otto's author card", post+" header.author .badge", "Helper")
}
