package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

func TestSolutionsKudosAndStanding(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	byOtto, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, th.ID, "Change the Wi-Fi channel.")
	if err != nil {
		t.Fatal(err)
	}
	byAgent, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Agent, th.ID, "Update the firmware.")
	if err != nil {
		t.Fatal(err)
	}
	kudos := func(id int64) string { return fmt.Sprintf("/p/%d/kudos", id) }
	accept := func(id int64) string { return fmt.Sprintf("/p/%d/accept", id) }

	guest := srv.Client(t)
	guest.Get(path)
	if r := guest.Post(kudos(byAgent.ID), form()); r.StatusCode != http.StatusForbidden {
		t.Errorf("guest kudos: %d", r.StatusCode)
	}

	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	r := otto.Get(path)
	mustContain(t, r, `action="`+kudos(byAgent.ID)+`"`)
	mustNotContain(t, r, `action="`+kudos(byOtto.ID)+`"`, `action="`+accept(byOtto.ID)+`"`) // own post; not the asker
	if r := otto.Post(kudos(byOtto.ID), form()); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "your own post") {
		t.Errorf("kudos on own post: %d", r.StatusCode)
	}
	r = otto.Post(kudos(byAgent.ID), form())
	mustContain(t, r, "Your kudos was counted", `aria-pressed="true"`, `name="take" value="1"`)
	otto.Get(path)
	if r := otto.Post(kudos(byAgent.ID), form()); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "already given kudos") {
		t.Errorf("kudos twice: %d", r.StatusCode)
	}
	otto.Get(path)
	if r := otto.Post(accept(byOtto.ID), form()); r.StatusCode != http.StatusForbidden {
		t.Errorf("accepting in someone else's thread: %d", r.StatusCode)
	}

	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	r = mara.Get(path)
	mustContain(t, r, `action="`+accept(byOtto.ID)+`"`, `action="`+accept(byAgent.ID)+`"`)
	r = mara.Post(accept(byOtto.ID), form())
	mustContain(t, r, "Marked as the solution", `class="solution"`, fmt.Sprintf(`href="%s#p%d"`, path, byOtto.ID),
		`action="/t/`+fmt.Sprint(th.ID)+`/unaccept"`)
	mustContain(t, mara.Get("/?tab=solved"), path)
	mustNotContain(t, mara.Get("/?tab=unsolved"), path)

	// Standing: otto got +2 (first answer to an unanswered question) and +15.
	r = guest.Get("/u/otto")
	mustContain(t, r, `<dd id="reputation">17</dd>`, "Newcomer", "Problem solver", "First answer", "Router drops Wi-Fi")
	mustContain(t, guest.Get("/u/sam_agent"), "Official")
	mustContain(t, guest.Get("/badges"), "Problem solver", "Bronze")
	mustContain(t, guest.Get("/badges/first_solution"), `href="/u/otto"`)
	if r := guest.Get("/badges/no-such-badge"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown badge: %d", r.StatusCode)
	}
	mustContain(t, guest.Get("/leaderboard?period=week"), `href="/u/otto"`, `<td class="num">17</td>`)
	mustContain(t, guest.Get(fmt.Sprintf("/leaderboard?period=all&board=%d", b.ID)), `href="/u/otto"`)
	mustContain(t, guest.Get("/leaderboard?period=';DROP&board=x"), "This month")

	// Withdrawing opens the thread again.
	mara.Get(path)
	r = mara.Post(fmt.Sprintf("/t/%d/unaccept", th.ID), form())
	mustContain(t, r, "the question is open again")
	mustNotContain(t, r, `class="solution"`)
	mara.Get(path)
	if r := mara.Post(fmt.Sprintf("/t/%d/unaccept", th.ID), form()); r.StatusCode != http.StatusConflict {
		t.Errorf("withdrawing twice: %d", r.StatusCode)
	}

	// A script asks for JSON and gets the new count.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+kudos(byAgent.ID), strings.NewReader("take=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrfIn(otto.Get(path).Body))
	r = otto.Do(req)
	var got struct {
		Kudos int  `json:"kudos"`
		Given bool `json:"given"`
	}
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got.Kudos != 0 || got.Given {
		t.Errorf("JSON kudos: %d %s", r.StatusCode, r.Body)
	}
}

var approveAction = regexp.MustCompile(`action="/p/\d+/approve"`)

func TestReviewOfNewcomers(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation = 20 }})
	b := newBoard(t, srv, "internet", nil)
	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	otto.Get("/ask")
	r := otto.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "My very first question here", "body", "Hello!"))
	if !threadPath.MatchString(r.Request.URL.Path) {
		t.Fatalf("after asking: at %s (%d)", r.Request.URL.Path, r.StatusCode)
	}
	path := r.Request.URL.Path
	mustContain(t, r, "A moderator will review your post", "Waiting for review")
	if r := srv.Client(t).Get(path); r.StatusCode != http.StatusNotFound {
		t.Errorf("a guest sees a question waiting for review: %d", r.StatusCode)
	}
	mustNotContain(t, srv.Client(t).Get("/"), "My very first question")

	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	r = mod.Get(path)
	m := approveAction.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no approve button for the moderator:\n%s", r.Body)
	}
	if r := otto.Post(m[0][len(`action="`):len(m[0])-1], form()); r.StatusCode != http.StatusForbidden {
		t.Errorf("the author approved their own post: %d", r.StatusCode)
	}
	r = mod.Post(m[0][len(`action="`):len(m[0])-1], form())
	mustContain(t, r, "approved and is now public")
	if r := srv.Client(t).Get(path); r.StatusCode != http.StatusOK {
		t.Errorf("the approved question: %d", r.StatusCode)
	}
}
