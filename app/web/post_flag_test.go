package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// flagForum is a thread by mara with an answer by otto, and two more members:
// ann, who reads German, and ben.
func flagForum(t *testing.T, srv *apptest.Server) (*thread.Thread, *thread.Post) {
	t.Helper()
	ctx := context.Background()
	th := seedThread(t, srv)
	answer, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, th.ID, "Cheap routers at spam.example, buy now!")
	if err != nil {
		t.Fatal(err)
	}
	for h, lang := range map[string]string{"ann": "de", "ben": "en"} {
		if _, err := srv.App.Users.Register(ctx, user.Registration{Handle: h, Email: h + "@example.com", Password: apptest.Password, Locale: lang}); err != nil {
			t.Fatal(err)
		}
	}
	return th, answer
}

// TestFlagForm: members flag others' posts with a plain form; three flags hide
// the post from guests, its author is told why, the queue shows the flags'
// texts, and approving brings it back.
func TestFlagForm(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th, answer := flagForum(t, srv)
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	flagURL := fmt.Sprintf("/p/%d/flag", answer.ID)
	guest := srv.Client(t)
	mustContain(t, guest.Get(path), "spam.example")
	mustNotContain(t, guest.Get(path), `action="`+flagURL+`"`)

	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	r := otto.Get(path)
	mustNotContain(t, r, `action="`+flagURL+`"`) // not on one's own post
	mustContain(t, r, "<summary>Flag</summary>") // on mara's question

	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	mustContain(t, mara.Get(path), `action="`+flagURL+`"`, `name="kind" value="duplicate"`, `name="duplicate"`)
	r = mara.Post(flagURL, form("text", "no kind"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a flag without a kind: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, "Choose what is wrong.", "<details class=\"flag\" open>", ">no kind</textarea>")

	for i, h := range []string{"mara", "ann", "ben"} {
		c := mara
		if i > 0 {
			c = srv.Client(t)
			c.Login(h, apptest.Password)
			c.Get(path)
		}
		r := c.Post(flagURL, form("kind", "spam", "text", "advert from "+h))
		if h == "ann" {
			mustContain(t, r, "Danke, die Moderation sieht es sich an.")
		} else {
			mustContain(t, r, "Thanks, a moderator will look at it.")
		}
	}
	r = mara.Post(flagURL, form("kind", "spam"))
	if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusConflict {
		t.Errorf("flagging a hidden post again: %d", r.StatusCode)
	}
	mustNotContain(t, guest.Get(path), "spam.example")
	mustContain(t, otto.Get(path), "spam.example", "Hidden after members flagged it; a moderator will review it.")

	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	r = mod.Get("/mod/queue")
	mustContain(t, r, "spam.example", "advert from mara", "advert from ben", "@ann", "Spam or advertising", "hidden after members flagged it",
		"3 flags received, 0 upheld", `<span class="count">1</span>`)
	mustContain(t, mod.Post(fmt.Sprintf("/p/%d/approve", answer.ID), form("from", "queue")), "Nothing waits for review.")
	mustContain(t, guest.Get(path), "spam.example")
}

// TestFlagRateLimit: a member who flags past SCHWARM_RATE_FLAG is told to
// wait, in their language, with Retry-After; staff are not limited.
func TestFlagRateLimit(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.FlagRate = config.Rate{N: 2, Window: time.Hour}
	}})
	th, answer := flagForum(t, srv)
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	page, err := srv.App.Threads.Posts(context.Background(), srv.Fixtures.Moderator, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	ann := srv.Client(t)
	ann.Login("ann", apptest.Password)
	ann.Get(path)
	for _, id := range []int64{page.Question.ID, answer.ID} {
		if r := ann.Post(fmt.Sprintf("/p/%d/flag", id), form("kind", "off_topic")); r.StatusCode != http.StatusOK {
			t.Fatalf("flag %d: %d", id, r.StatusCode)
		}
	}
	r := ann.Post("/u/otto/report", form("kind", "spam"))
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("the third flag in the window: %d, Retry-After %q; want 429 with a wait", r.StatusCode, r.Header.Get("Retry-After"))
	}
	mustContain(t, r, "Sie haben in kurzer Zeit sehr viel gemeldet.")

	// The budget is the address's too: another member there is limited with ann.
	ben := srv.Client(t)
	ben.Login("ben", apptest.Password)
	ben.Get(path)
	if r := ben.Post(fmt.Sprintf("/p/%d/flag", answer.ID), form("kind", "spam")); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("another member from the same address: %d, want 429", r.StatusCode)
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	mod.Get(path)
	for range 3 {
		if r := mod.Post("/u/otto/report", form("kind", "moderator", "text", "see the answers")); r.StatusCode == http.StatusTooManyRequests {
			t.Fatal("a moderator was rate limited")
		}
	}
}

// TestReportForm: a member reports another from the profile, once while it is
// open; the queue lists the member with the report, and a moderator dismisses it.
func TestReportForm(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	flagForum(t, srv)
	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	mustNotContain(t, mara.Get("/u/mara"), `action="/u/mara/report"`)
	mustContain(t, mara.Get("/u/otto"), `action="/u/otto/report"`)
	r := mara.Post("/u/otto/report", form("kind", "moderator"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a report for a moderator without text: %d, want 422", r.StatusCode)
	}
	mustContain(t, r, "Tell the moderators why this needs them.")
	mustContain(t, mara.Post("/u/otto/report", form("kind", "abusive", "text", "Insults in every answer.")), "Thanks, a moderator will look at it.")
	r = mara.Post("/u/otto/report", form("kind", "spam"))
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "You have reported this member already.") {
		t.Errorf("reporting twice: %d", r.StatusCode)
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	mustContain(t, mod.Get("/mod/queue"), "Reported member", "Insults in every answer.", "@mara", `action="/u/otto/reports/dismiss"`, `href="/u/otto#restrict-heading"`)
	mustContain(t, mod.Post("/u/otto/reports/dismiss", form()), "The reports have been dismissed.", "Nothing waits for review.")
	if r := mod.Post("/u/otto/reports/dismiss", form()); r.StatusCode != http.StatusConflict {
		t.Errorf("dismissing twice: %d, want 409", r.StatusCode)
	}
	mustContain(t, mod.Get("/mod/audit"), "Dismissed reports on a member")
}

// TestModeratorHidesAPost: a moderator hides a post from the thread page and
// its author is told why; a post flagged once stays shown until a moderator
// keeps it from the queue.
func TestModeratorHidesAPost(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th, answer := flagForum(t, srv)
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	page, err := srv.App.Threads.Posts(context.Background(), srv.Fixtures.Moderator, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	mustContain(t, mod.Get(path), fmt.Sprintf(`action="/p/%d/hide"`, answer.ID))
	mustContain(t, mod.Post(fmt.Sprintf("/p/%d/hide", answer.ID), form()), "The post is hidden until a moderator approves or rejects it.")
	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	mustContain(t, otto.Get(path), "Hidden by a moderator; a moderator will review it.")
	mustNotContain(t, srv.Client(t).Get(path), "spam.example")
	mustContain(t, mod.Get("/mod/queue"), "hidden by a moderator")

	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	mara.Get(path)
	mara.Post(fmt.Sprintf("/p/%d/flag", page.Answers[0].ID), form("kind", "moderator", "text", "Is an agent allowed to say this?"))
	r := mod.Get("/mod/queue")
	mustContain(t, r, "Shown, flagged", "Is an agent allowed to say this?", "Keep")
	mustContain(t, mod.Post(fmt.Sprintf("/p/%d/approve", page.Answers[0].ID), form("from", "queue")), "The post stays as it is; its flags have been dismissed.")
	mustContain(t, mod.Get("/mod/audit"), "Hid a post", "Kept a flagged post")
}
