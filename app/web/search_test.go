package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/thread"
)

// eventually retries check until it holds: the index follows the database within
// an indexer interval.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if check() {
			return
		}
	}
	t.Fatalf("%s: not within 5 s", what)
}

func TestSearchPageAndSuggest(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router keeps dropping the connection", Body: "Every evening.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Agent, th.ID, "Update the **firmware** to 7.2."); err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	eventually(t, "the thread is found", func() bool {
		return strings.Contains(c.Get("/search?q=router+connection").Body, "Router keeps dropping the connection")
	})
	mustContain(t, c.Get("/search?q=routers+dropped"), "Router keeps dropping", "1 thread found")
	r := c.Get("/search?q=nothing+like+this+here")
	mustContain(t, r, "Nothing found.")
	for _, q := range []string{"", "x", "*", "~", "title:x AND -y", `"((`, "\x00\xff", "'; DROP TABLE threads; --", strings.Repeat("ab ", 1000)} {
		if r := c.Get("/search?q=" + url.QueryEscape(q)); r.StatusCode != 200 {
			t.Errorf("search %.20q: %d", q, r.StatusCode)
		}
	}

	// Suggestions while typing: an HTML fragment, or JSON.
	r = c.Get("/suggest?q=router+drops+connection")
	mustContain(t, r, "Do these answer your question?", "Router keeps dropping the connection", "Update the firmware to 7.2.")
	mustNotContain(t, r, "<html")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/suggest?q=router+connection+evening", nil)
	req.Header.Set("Accept", "application/json")
	var got []struct {
		ID    int64  `json:"id"`
		URL   string `json:"url"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(c.Do(req).Body), &got); err != nil || len(got) != 1 || got[0].ID != th.ID || got[0].URL != fmt.Sprintf("/t/%d/%s", th.ID, th.Slug) {
		t.Errorf("suggest JSON: %+v, %v", got, err)
	}

	// Without JavaScript, asking shows the "before you post" step first.
	m := srv.Client(t)
	m.Login("otto", apptest.Password)
	m.Get("/ask")
	r = m.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "My router drops the connection", "body", "Since Monday."))
	mustContain(t, r, "Before you post", "Router keeps dropping the connection", "No, post my question", `value="My router drops the connection"`)
	if list, _ := srv.App.Threads.List(ctx, thread.Query{}); len(list.Threads) != 1 {
		t.Fatal("the question was posted before the step")
	}
	r = m.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "My router drops the connection", "body", "Since Monday.", "confirm", "1"))
	mustContain(t, r, "Your question is online.")

	// Deleted threads are not suggested.
	page, _ := srv.App.Threads.Posts(ctx, srv.Fixtures.Moderator, th, 1)
	if _, err := srv.App.Threads.Delete(ctx, srv.Fixtures.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted thread leaves the index", func() bool {
		return !strings.Contains(c.Get("/search?q=keeps+dropping").Body, "Router keeps dropping")
	})
}
