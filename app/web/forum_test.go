package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

func newBoard(t *testing.T, srv *apptest.Server, slug string, edit func(*board.Board)) *board.Board {
	t.Helper()
	b := &board.Board{Slug: slug, NameEN: "Board " + slug, NameDE: "Bereich " + slug}
	if edit != nil {
		edit(b)
	}
	if err := srv.App.Boards.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return b
}

var threadPath = regexp.MustCompile(`^/t/(\d+)/[a-z0-9-]+$`)

func TestAskQuestion(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	b := newBoard(t, srv, "internet", nil)
	news := newBoard(t, srv, "news", func(b *board.Board) { b.PostRole = "agent" })

	if r := srv.Client(t).NoRedirects().Get("/ask"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("guest /ask: %d", r.StatusCode)
	}
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	c.Post("/language", form("lang", "de")) // mara's profile says English
	r := c.Get("/ask?board=internet")
	mustContain(t, r, fmt.Sprintf(`<option value="%d" selected>`, b.ID), "Frage veröffentlichen")
	mustNotContain(t, r, "Bereich news") // members cannot post there

	// Problems come back next to the fields, in German, with everything typed kept.
	r = c.Post("/ask", form("board", "", "title", "kurz", "body", "Mein **Router**", "tags", "router, wlan"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("invalid ask: %d", r.StatusCode)
	}
	mustContain(t, r, "mindestens 10 Zeichen", "Bitte füllen Sie dieses Feld aus.", `value="kurz"`, "Mein **Router**", `value="router, wlan"`)
	r = c.Post("/ask", form("board", fmt.Sprint(news.ID), "title", "Eine ausreichend lange Frage", "body", "x"))
	mustContain(t, r, "kann nur das Team")

	// Preview renders without saving.
	r = c.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "Router startet ständig neu", "body", "Seit **Montag** <script>x</script>", "action", "preview"))
	mustContain(t, r, "<strong>Montag</strong>", `value="Router startet ständig neu"`)
	mustNotContain(t, r, "<script>x")
	if list, _ := srv.App.Threads.List(context.Background(), thread.Query{}); len(list.Threads) != 0 {
		t.Fatal("preview stored a thread")
	}

	r = c.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "Router startet ständig neu", "body", "Seit **Montag**.", "tags", "router", "language", "de"))
	if !threadPath.MatchString(r.Request.URL.Path) {
		t.Fatalf("after asking: at %s (%d)", r.Request.URL.Path, r.StatusCode)
	}
	mustContain(t, r, "Ihre Frage ist online.", "<strong>Montag</strong>", `class="tag"`, "router-startet-staendig-neu")
}

func TestFormErrorsAsProblemJSON(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ask", strings.NewReader(form("title", "x").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrfIn(c.Get("/ask").Body))
	r := c.Do(req)
	var problem struct {
		Status int               `json:"status"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.Body), &problem); err != nil || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %q: %s", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	if problem.Status != 422 || problem.Errors["title"] == "" || problem.Errors["board"] == "" {
		t.Errorf("problem %+v", problem)
	}
}

func TestAnswerEditHistoryDelete(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)

	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	otto.Get(path)
	r := otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "  "))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty answer: %d", r.StatusCode)
	}
	mustContain(t, r, "Please fill in this field.")
	r = otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Change the channel.", "action", "preview"))
	mustContain(t, r, "<p>Change the channel.</p>", "Change the channel.</textarea>")
	r = otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Change the **channel**."))
	mustContain(t, r, "Your answer is online", "<strong>channel</strong>")
	page, _ := srv.App.Threads.Posts(ctx, nil, th, 1)
	answer := page.Answers[0]

	agent := srv.Client(t)
	agent.Login("sam_agent", apptest.Password)
	agent.Get(path)
	r = agent.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Firmware 7.2 fixes it."))
	mustContain(t, r, "Official answer")

	// Someone else's post: no edit button, and the server refuses a forged request.
	mara := srv.Client(t)
	mara.Login("mara", apptest.Password)
	r = mara.Get(path)
	mustNotContain(t, r, fmt.Sprintf(`href="/p/%d/edit"`, answer.ID))
	mustContain(t, r, fmt.Sprintf(`href="/p/%d/edit"`, page.Question.ID))
	if r := mara.Get(fmt.Sprintf("/p/%d/edit", answer.ID)); r.StatusCode != http.StatusForbidden {
		t.Errorf("edit form for someone else's post: %d", r.StatusCode)
	}
	if r := mara.Post(fmt.Sprintf("/p/%d/edit", answer.ID), form("body", "hijacked")); r.StatusCode != http.StatusForbidden {
		t.Errorf("forged edit: %d", r.StatusCode)
	}

	// The author edits the question: title and body; the old URL redirects.
	mara.Get(fmt.Sprintf("/p/%d/edit", page.Question.ID))
	r = mara.Post(fmt.Sprintf("/p/%d/edit", page.Question.ID), form("title", "Router drops Wi-Fi at 8 pm", "body", "Every evening.\nSince Monday.", "reason", "more detail"))
	mustContain(t, r, "Your changes have been saved.", "Router drops Wi-Fi at 8 pm", "edited once")
	if old := mara.NoRedirects().Get(path); old.StatusCode != http.StatusMovedPermanently {
		t.Errorf("old slug: %d", old.StatusCode)
	}
	r = mara.Get(fmt.Sprintf("/p/%d/history", page.Question.ID))
	mustContain(t, r, "Version 2", "Version 1", "more detail", "<ins>+ Since Monday.\n</ins>", "<del>- # Router drops Wi-Fi\n</del>")
	// Old versions may hold what an edit removed: only the author and moderators see them.
	if r := srv.Client(t).Get(fmt.Sprintf("/p/%d/history", page.Question.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("guest reads the history: %d", r.StatusCode)
	}
	if r := otto.Get(fmt.Sprintf("/p/%d/history", page.Question.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("another member reads the history: %d", r.StatusCode)
	}
	mustNotContain(t, otto.Get(path), fmt.Sprintf(`href="/p/%d/history"`, page.Question.ID))

	// Delete: the author may, others not; moderators see it and can restore it.
	if r := mara.Post(fmt.Sprintf("/p/%d/delete", answer.ID), url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Errorf("deleting someone else's answer: %d", r.StatusCode)
	}
	otto.Get(path)
	r = otto.Post(fmt.Sprintf("/p/%d/delete", answer.ID), url.Values{})
	mustContain(t, r, "The post has been deleted.")
	mustNotContain(t, srv.Client(t).Get(path), "Change the")
	mod := srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	r = mod.Get(path)
	mustContain(t, r, "Change the", fmt.Sprintf(`action="/p/%d/restore"`, answer.ID))
	r = mod.Post(fmt.Sprintf("/p/%d/restore", answer.ID), url.Values{})
	mustContain(t, r, "The post has been restored.")
	mustContain(t, srv.Client(t).Get(path), "Change the")
}

func TestListTabsAndPages(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	var answered *thread.Thread
	for i := range 35 {
		th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: fmt.Sprintf("Question number %02d", i), Body: "b", Tags: map[bool]string{true: "special"}[i == 3]})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			answered = th
		}
	}
	if _, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, answered.ID, "answer"); err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	r := c.Get("/b/internet")
	mustContain(t, r, "Question number 00", "Question number 34", `rel="next"`)
	mustNotContain(t, r, "Question number 05") // on page 2
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(r.Body)[1]
	r = c.Get(strings.ReplaceAll(next, "&amp;", "&"))
	mustContain(t, r, "Question number 05", "Question number 01")
	mustNotContain(t, r, "Question number 34", `rel="next"`)

	r = c.Get("/b/internet?tab=unanswered")
	mustNotContain(t, r, "Question number 00")
	r = c.Get("/?tag=special")
	mustContain(t, r, "Question number 03", "Questions tagged “special”.")
	mustNotContain(t, r, "Question number 04")
	if r := c.Get("/?after=not-a-cursor"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", r.StatusCode)
	}
}

func TestWriteRateLimit(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.WriteRate = config.Rate{N: 2, Window: time.Hour}
	}})
	b := newBoard(t, srv, "internet", nil)
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	c.Get("/ask")
	for range 5 { // previews do not use up the posting budget
		if r := c.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "Question number here", "body", "b", "action", "preview")); r.StatusCode != http.StatusOK {
			t.Fatalf("preview: %d", r.StatusCode)
		}
	}
	for i := range 3 {
		r := c.Post("/ask", form("board", fmt.Sprint(b.ID), "title", fmt.Sprintf("Question number %d here", i), "body", "b"))
		if want := i < 2; (r.StatusCode == http.StatusOK) != want {
			t.Errorf("post %d: status %d", i, r.StatusCode)
		}
		if i == 2 {
			if r.StatusCode != http.StatusTooManyRequests {
				t.Errorf("third post: %d", r.StatusCode)
			}
			mustContain(t, r, "Too many attempts")
		}
	}
}

// TestPreviewsAreLimitedForStaffToo: previews have ten times the posting
// budget, for everyone; staff's posts are not limited.
func TestPreviewsAreLimitedForStaffToo(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.WriteRate = config.Rate{N: 1, Window: time.Hour}
	}})
	th := seedThread(t, srv)
	c := srv.Client(t)
	c.Login("mia_mod", apptest.Password)
	c.Get("/ask")
	for i := range 11 {
		r := c.Post("/preview", form("body", "**bold**"))
		if want := i < 10; (r.StatusCode == http.StatusOK) != want {
			t.Errorf("preview %d by a moderator: %d", i+1, r.StatusCode)
		}
	}
	for i := range 3 {
		if r := c.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", fmt.Sprintf("Staff answer number %d.", i))); r.StatusCode != http.StatusOK {
			t.Errorf("a moderator's answer %d: %d", i+1, r.StatusCode)
		}
	}
}

// TestWriteRateLimitPerAddress: members posting from one client address share a
// budget, so a spammer's many accounts do not multiply theirs.
func TestWriteRateLimitPerAddress(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) {
		c.WriteAddressRate = config.Rate{N: 3, Window: time.Hour}
	}})
	b := newBoard(t, srv, "internet", nil)
	var statuses []int
	for _, h := range []string{"mara", "otto"} {
		c := srv.Client(t)
		c.Login(h, apptest.Password)
		c.Get("/ask")
		for i := range 2 {
			r := c.Post("/ask", form("board", fmt.Sprint(b.ID), "title", fmt.Sprintf("Question %d from %s here", i, h), "body", "b"))
			statuses = append(statuses, r.StatusCode)
		}
	}
	if want := []int{200, 200, 200, 429}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v: four posts from one address with a budget of three", statuses, want)
	}
	// Staff are not limited.
	c := srv.Client(t)
	c.Login("sam_agent", apptest.Password)
	c.Get("/ask")
	if r := c.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "Known issue: DSL outage", "body", "b")); r.StatusCode != http.StatusOK {
		t.Errorf("an agent over the address's budget: %d", r.StatusCode)
	}
}

func TestPreviewAndTagSuggest(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	b := newBoard(t, srv, "internet", nil)
	if _, err := srv.App.Threads.Create(context.Background(), srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "b", Tags: "router, roaming"}); err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	c.Login("mara", apptest.Password)
	token := csrfIn(c.Get("/ask").Body)
	post := func(token string) *apptest.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/preview", strings.NewReader(form("body", "**hi** <img src=x onerror=alert(1)>").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", token)
		return c.Do(req)
	}
	r := post(token)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "<strong>hi</strong>") || strings.Contains(r.Body, "onerror") {
		t.Errorf("preview: %d %q", r.StatusCode, r.Body)
	}
	if r := post("forged"); r.StatusCode != http.StatusForbidden {
		t.Errorf("preview without token: %d", r.StatusCode)
	}
	r = c.Get("/tags/suggest?q=ro")
	var names []string
	if err := json.Unmarshal([]byte(r.Body), &names); err != nil || len(names) != 2 {
		t.Errorf("suggest: %s", r.Body)
	}
}

func TestAdminBoards(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	member := srv.Client(t)
	member.Login("mara", apptest.Password)
	if r := member.Get("/admin/boards"); r.StatusCode != http.StatusForbidden {
		t.Errorf("member: %d", r.StatusCode)
	}
	if r := member.Post("/admin/boards", form("slug", "x", "name_en", "X", "name_de", "X")); r.StatusCode != http.StatusForbidden {
		t.Errorf("member create: %d", r.StatusCode)
	}
	admin := srv.Client(t)
	admin.Login("root_admin", apptest.Password)
	admin.Get("/admin/boards")
	r := admin.Post("/admin/boards", form("slug", "Bad Slug!", "name_en", "", "name_de", "Router"))
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("invalid board: %d", r.StatusCode)
	}
	mustContain(t, r, "lower-case letters, digits or hyphens", `value="Bad Slug!"`)
	r = admin.Post("/admin/boards", form("slug", "router", "name_en", "Routers", "name_de", "Router", "post_role", "member", "position", "2"))
	mustContain(t, r, "The board has been saved.", "/b/router")
	parent, err := srv.App.Boards.GetBySlug(context.Background(), "router")
	if err != nil {
		t.Fatal(err)
	}
	r = admin.Post("/admin/boards", form("slug", "fritzbox", "name_en", "FRITZ!Box", "name_de", "FRITZ!Box", "parent", fmt.Sprint(parent.ID)))
	mustContain(t, r, "The board has been saved.")
	child, _ := srv.App.Boards.GetBySlug(context.Background(), "fritzbox")
	r = admin.Post("/admin/boards", form("slug", "deeper", "name_en", "Deeper", "name_de", "Tiefer", "parent", fmt.Sprint(child.ID)))
	mustContain(t, r, "only one level deep")
	// A refused change is shown in the form but changes nothing anyone else sees.
	r = admin.Post(fmt.Sprintf("/admin/boards/%d", parent.ID), form("slug", "BAD SLUG", "name_en", "Hacked name", "name_de", "x", "post_role", "admin"))
	mustContain(t, r, `value="Hacked name"`)
	mustContain(t, srv.Client(t).Get("/b/router"), "Routers")
	mustNotContain(t, srv.Client(t).Get("/"), "Hacked name")
	r = admin.Post(fmt.Sprintf("/admin/boards/%d", parent.ID), form("slug", "routers", "name_en", "All routers", "name_de", "Alle Router", "post_role", "agent"))
	mustContain(t, r, "The board has been saved.", "All routers")
	if b, _ := srv.App.Boards.Get(context.Background(), parent.ID); b.Slug != "routers" || b.PostRole != "agent" {
		t.Errorf("after update: %+v", b)
	}
}

// TestGuestPagesAreCachedButNeverStale: guests share rendered pages, and a write on
// this node shows at once.
func TestGuestPagesAreCachedButNeverStale(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/t/%d/%s", th.ID, th.Slug)
	guest := srv.Client(t)
	first := guest.Get(path)
	if len(first.Cookies()) != 0 {
		t.Errorf("a guest's thread page sets cookies: %v", first.Cookies())
	}
	if again := srv.Client(t).Get(path); again.Body != first.Body {
		t.Error("two guests got different pages")
	}
	de := srv.Client(t)
	de.Language = "de"
	mustContain(t, de.Get(path), `<html lang="de">`) // the language is part of the key

	otto := srv.Client(t)
	otto.Login("otto", apptest.Password)
	otto.Get(path)
	otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Fresh answer from otto."))
	mustContain(t, guest.Get(path), "Fresh answer from otto.")
	mustContain(t, guest.Get("/b/internet"), "1 answer")
	// Signed-in pages are personal and never come from the cache.
	mustContain(t, otto.Get(path), `action="/logout"`)
}

func TestReplyToLockedThread(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router drops Wi-Fi", Body: "Every evening."})
	if err != nil {
		t.Fatal(err)
	}
	otto := srv.Client(t)
	otto.Language = "de"
	otto.Login("otto", apptest.Password)
	otto.Post("/language", form("lang", "de"))
	otto.Get(fmt.Sprintf("/t/%d/%s", th.ID, th.Slug))
	if err := srv.App.DB.Writer(ctx).Exec("UPDATE threads SET locked = TRUE WHERE id = ?", th.ID).Error; err != nil {
		t.Fatal(err)
	}
	r := otto.Post(fmt.Sprintf("/t/%d/reply", th.ID), form("body", "Zu spät?"))
	if r.StatusCode != http.StatusConflict {
		t.Errorf("status %d, want 409", r.StatusCode)
	}
	mustContain(t, r, "Dieses Thema ist gesperrt")
	if got, _ := srv.App.Threads.Get(ctx, th.ID); got.AnswerCount != 0 {
		t.Error("an answer was stored")
	}
}
