package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/thread"
)

// eventually retries check until it holds: the index follows the database within
// an indexer interval. The limit is generous, for a busy CI machine; it is no
// speed test.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	if !apptest.Eventually(20*time.Second, check) {
		t.Fatalf("%s: not within 20 s", what)
	}
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
		return strings.Contains(c.Get("/search?q=router+connection").Body, fmt.Sprintf("/t/%d/", th.ID))
	})
	// The words found are marked, whatever form they were typed in.
	mustContain(t, c.Get("/search?q=routers+dropped"), "<mark>Router</mark> keeps <mark>dropping</mark> the connection", "1 thread found")
	r := c.Get("/search?q=nothing+like+this+here")
	mustContain(t, r, "Nothing found.")
	for _, q := range []string{"", "x", "*", "~", "title:x AND -y", `"((`, "\x00\xff", "'; DROP TABLE threads; --", strings.Repeat("ab ", 1000)} {
		for _, page := range []string{"/search?q=", "/suggest?q=", "/search?sort=newest&within=week&tag=router&lang=de&q="} {
			if r := c.Get(page + url.QueryEscape(q)); r.StatusCode != 200 {
				t.Errorf("%s%.20q: %d", page, q, r.StatusCode)
			}
		}
	}
	for _, params := range []string{"tag=%27+OR+1%3D1&q=router", "board=-1&q=router", "offset=-5&q=router", "offset=99999999999999999999&q=router",
		"within=%00&sort=%22&lang=..%2F&q=router", "q=router&n=-3", "q=router&n=1000000"} {
		for _, page := range []string{"/search?", "/suggest?"} {
			if r := c.Get(page + params); r.StatusCode != 200 {
				t.Errorf("%s%s: %d", page, params, r.StatusCode)
			}
		}
	}

	// Suggestions while typing: an HTML fragment, or JSON.
	r = c.Get("/suggest?q=router+drops+connection")
	mustContain(t, r, "Do these answer your question?", "<mark>Router</mark> keeps <mark>dropping</mark> the <mark>connection</mark>", "Update the firmware to 7.2.")
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
	mustContain(t, r, "Before you post", fmt.Sprintf("/t/%d/", th.ID), "No, post my question", `value="My router drops the connection"`)
	if list, _ := srv.App.Threads.List(ctx, thread.Query{}); len(list.Threads) != 1 {
		t.Fatal("the question was posted before the step")
	}
	r = m.Post("/ask", form("board", fmt.Sprint(b.ID), "title", "My router drops the connection", "body", "Since Monday.", "confirm", "1"))
	mustContain(t, r, "Your question is online.")

	// Deleted threads are not suggested.
	page, _ := srv.App.Threads.Posts(ctx, srv.Fixtures.Moderator, th, 1)
	if _, err := srv.App.Moderation.Delete(ctx, srv.Fixtures.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted thread leaves the index", func() bool {
		return !strings.Contains(c.Get("/search?q=keeps+dropping").Body, fmt.Sprintf("/t/%d/", th.ID))
	})
}

// TestSearchPageFilters: each filter of the search page narrows the results, the
// typed words are marked in titles and snippets, pages link both ways, a search
// that finds nothing offers another spelling and the count without filters, and
// only staff find hidden threads.
func TestSearchPageFilters(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	home, fritz := newBoard(t, srv, "internet", nil), newBoard(t, srv, "fritzbox", nil)
	ask := func(b int64, title, body, lang string, tags ...string) string {
		th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b, Title: title, Body: body, Language: lang, Tags: strings.Join(tags, " ")})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("/t/%d/", th.ID)
	}
	night := ask(home.ID, "Router drops the connection at night", "Every night at two the router restarts and the connection is gone until I unplug it.", "en", "router")
	german := ask(fritz.ID, "Router Verbindung bricht ständig ab", "Die Fritzbox startet neu.", "de", "fritzbox")
	spam, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: home.ID, Title: "Cheap router offer, click here", Body: "Spam spam spam.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t)
	eventually(t, "the threads are found", func() bool { return strings.Contains(c.Get("/search?q=offer").Body, fmt.Sprintf("/t/%d/", spam.ID)) })
	page, _ := srv.App.Threads.Posts(ctx, srv.Fixtures.Moderator, spam, 1)
	if _, err := srv.App.Moderation.Delete(ctx, srv.Fixtures.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted thread leaves public search", func() bool {
		_, n, err := srv.App.Search.Search(ctx, search.Query{Text: "offer", Size: 1})
		return err == nil && n == 0
	})

	tests := []struct {
		query     string
		want, not []string
	}{
		{"q=router", []string{night, german, "2 threads found"}, nil},
		{"q=router&tag=fritzbox", []string{german}, []string{night}},
		{"q=router&lang=en", []string{night}, []string{german}},
		{fmt.Sprintf("q=router&board=%d", fritz.ID), []string{german}, []string{night}},
		{"q=router&within=week&solved=", []string{night, german}, nil},
		{"q=router&within=decade&lang=xx&sort=sideways", []string{night, german}, nil}, // unknown values are ignored
		{"q=restarts", []string{night, `<p class="snippet">`, "the router <mark>restarts</mark> and"}, nil},
		{"q=nigt", []string{"Nothing found", `Did you mean: <a href="/search?q=night"`}, nil},
		{"q=router&tag=nosuchtag", []string{"Nothing found", `<a href="/search?q=router" rel="nofollow">2 threads match without the filters</a>`}, nil},
		{"q=offer", []string{"Nothing found"}, []string{fmt.Sprintf("/t/%d/", spam.ID)}},
	}
	for _, tt := range tests {
		r := c.Get("/search?" + tt.query)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tt.query, r.StatusCode)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("/search?%s lacks %q", tt.query, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(r.Body, n) {
				t.Errorf("/search?%s shows %q", tt.query, n)
			}
		}
	}
	// Newest first: the German thread was asked last.
	if body := c.Get("/search?q=router&sort=newest").Body; strings.Index(body, german) > strings.Index(body, night) {
		t.Error("sort=newest does not put the newest thread first")
	}
	// Staff find the hidden thread, marked as such.
	mod := srv.Client(t)
	mod.Login(srv.Fixtures.Moderator.Handle, apptest.Password)
	mustContain(t, mod.Get("/search?q=offer"), fmt.Sprintf("/t/%d/", spam.ID), `<span class="badge hidden">Deleted</span>`)

	// Pages link forward and back.
	for i := range 22 {
		ask(home.ID, fmt.Sprintf("Voicemail greeting %d is silent", i), "No sound.", "en")
	}
	eventually(t, "the new threads are found", func() bool { return strings.Contains(c.Get("/search?q=voicemail").Body, "22 threads found") })
	first := c.Get("/search?q=voicemail")
	mustContain(t, first, `href="/search?offset=20&amp;q=voicemail" rel="next"`)
	mustNotContain(t, first, `rel="prev"`)
	second := c.Get("/search?q=voicemail&offset=20")
	mustContain(t, second, `href="/search?q=voicemail" rel="prev"`)
	mustNotContain(t, second, `rel="next"`)
}

// TestCloseAsDuplicate: a moderator closes a question as a duplicate from its
// page; the page then points to the canonical thread and takes no answers, and
// search and suggestions for the duplicate's words lead to the canonical thread.
func TestCloseAsDuplicate(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	canonical, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Router keeps dropping the connection", Body: "Every evening.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	dup, err := srv.App.Threads.Create(ctx, srv.Fixtures.Other, thread.Ask{BoardID: b.ID, Title: "Laptop offline each night since Monday", Body: "Wifi gone.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	dupPath, canonPath := fmt.Sprintf("/t/%d/%s", dup.ID, dup.Slug), fmt.Sprintf("/t/%d/%s", canonical.ID, canonical.Slug)

	member := srv.Client(t)
	member.Login(srv.Fixtures.Other.Handle, apptest.Password)
	mustNotContain(t, member.Get(dupPath), "Close as duplicate")
	if r := member.Post(fmt.Sprintf("/t/%d/duplicate", dup.ID), form("canonical", fmt.Sprint(canonical.ID))); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member closes as duplicate: %d", r.StatusCode)
	}

	mod := srv.Client(t)
	mod.Login(srv.Fixtures.Moderator.Handle, apptest.Password)
	mustContain(t, mod.Get(dupPath), "Close as duplicate")
	for _, bad := range []string{"", "soon", "/t/999999/nothing", fmt.Sprint(dup.ID)} {
		r := mod.Post(fmt.Sprintf("/t/%d/duplicate", dup.ID), form("canonical", bad))
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("canonical %q: status %d", bad, r.StatusCode)
		}
	}
	mod.Get(dupPath)
	r := mod.Post(fmt.Sprintf("/t/%d/duplicate", dup.ID), form("canonical", srv.URL+canonPath+"?page=1"))
	mustContain(t, r, "The thread was closed as a duplicate.", "Closed as a duplicate. The answer is here:",
		fmt.Sprintf(`<a href="%s">Router keeps dropping the connection</a>`, canonPath), "Reopen (not a duplicate)")
	mustContain(t, member.Get(dupPath), "please answer in the thread it points to")
	if r := member.Post(fmt.Sprintf("/t/%d/reply", dup.ID), form("body", "Restart it")); r.StatusCode != http.StatusConflict {
		t.Errorf("answer to a duplicate: %d", r.StatusCode)
	}

	// Its words now find the canonical thread, and never the duplicate.
	c := srv.Client(t)
	eventually(t, "the duplicate's title leads to the canonical thread", func() bool {
		return strings.Contains(c.Get("/search?q=laptop+offline+each+night").Body, canonPath)
	})
	for _, page := range []string{"/search?q=laptop+offline+each+night", "/suggest?q=laptop+offline+each+night"} {
		r := c.Get(page)
		mustContain(t, r, canonPath)
		mustNotContain(t, r, dupPath)
	}
	mustContain(t, c.Get("/search?q=laptop+offline+each+night"), "1 thread found")
	// A question no thread fits is told so, in place of a list.
	mustContain(t, c.Get("/suggest?q=printer+cartridge+refill+shop"), "No similar solved threads yet", "data-no-suggestions")
	mustNotContain(t, c.Get("/suggest?q=printer+cartridge+refill+shop"), "data-suggestion=")
	// A duplicate found within a board whose canonical thread is in another
	// board: the board's search shows neither.
	other := newBoard(t, srv, "billing", nil)
	elsewhere, err := srv.App.Threads.Create(ctx, srv.Fixtures.Other, thread.Ask{BoardID: other.ID, Title: "Modem lights blinking orange", Body: "No sync.", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	elsewherePath := fmt.Sprintf("/t/%d/", elsewhere.ID)
	eventually(t, "the other board's question is found there", func() bool {
		return strings.Contains(c.Get(fmt.Sprintf("/search?q=modem+lights+blinking+orange&board=%d", other.ID)).Body, elsewherePath)
	})
	if _, err := srv.App.Moderation.CloseAsDuplicate(ctx, srv.Fixtures.Moderator, elsewhere.ID, canonical.ID); err != nil {
		t.Fatal(err)
	}
	// Pages of results are kept until the index changes, which closing as a
	// duplicate does (the threads' aliases): the answer changes with it.
	for _, page := range []string{fmt.Sprintf("/search?q=modem+lights+blinking+orange&board=%d", other.ID),
		fmt.Sprintf("/suggest?q=modem+lights+blinking+orange&board=%d", other.ID)} {
		eventually(t, "the board's search shows neither "+page, func() bool {
			body := c.Get(page).Body
			return !strings.Contains(body, canonPath) && !strings.Contains(body, elsewherePath)
		})
	}

	mod.Get(dupPath)
	mustContain(t, mod.Post(fmt.Sprintf("/t/%d/reopen", dup.ID), form()), "The thread is open again.", "Close as duplicate")
	eventually(t, "the reopened thread is found as itself", func() bool {
		return strings.Contains(c.Get("/search?q=laptop+offline+each+night").Body, dupPath)
	})
}

// TestDuplicatesKeepPagesFull: threads closed as duplicates give way to their
// canonical thread, which is among the hits already; the suggestions and each
// search page are still full, paging on shows every thread once (the canonical
// one too, though a duplicate of it ranks last), and paging back shows the page
// before.
func TestDuplicatesKeepPagesFull(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	ctx := context.Background()
	b := newBoard(t, srv, "printing", nil)
	var canonical *thread.Thread
	var ids []int64
	duplicates := map[int64]bool{}
	// Duplicates say it most plainly, and rank first, but for the last, which
	// says it least. Texts of different lengths score differently: threads that
	// tie keep no order between requests once the index merges its segments.
	for i := range 31 {
		ask := thread.Ask{BoardID: b.ID, Title: fmt.Sprintf("Printer model %d stops at the first page", i),
			Body: "It blinks" + strings.Repeat(" and blinks", i) + ".", Language: "en"}
		if i > 0 && i <= 8 {
			ask.Title, ask.Body = fmt.Sprintf("Printer jams paper, printer jams again (%d)", i), "Printer jams paper every time, the printer jams."
		}
		if i == 30 {
			ask.Title, ask.Body = "A question about a printer", "Nothing else."
		}
		th, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, ask)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			canonical = th
		} else if i <= 8 || i == 30 {
			if _, err := srv.App.Moderation.CloseAsDuplicate(ctx, srv.Fixtures.Moderator, th.ID, canonical.ID); err != nil {
				t.Fatal(err)
			}
			duplicates[th.ID] = true
			continue
		}
		ids = append(ids, th.ID)
	}
	c := srv.Client(t)
	idOf := regexp.MustCompile(`class="thread-title" href="/t/(\d+)/`)
	linkOf := regexp.MustCompile(`<a href="([^"]+)" rel="(next|prev)"`)
	page := func(path string) (found []int64, next, prev string) {
		r := c.Get(path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, r.StatusCode)
		}
		for _, m := range idOf.FindAllStringSubmatch(r.Body, -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			found = append(found, id)
		}
		for _, m := range linkOf.FindAllStringSubmatch(r.Body, -1) {
			if m[2] == "next" {
				next = html.UnescapeString(m[1])
			} else {
				prev = html.UnescapeString(m[1])
			}
		}
		return found, next, prev
	}
	const query = "printer+jams+paper+stops+page"
	apptest.AwaitIndex(t, srv.App)

	mustContain(t, c.Get("/search?q="+query), "22 threads found") // 31, less 9 duplicates
	seen := map[int64]int{}
	var pages [][]int64
	for path := "/search?q=" + query; path != ""; {
		found, next, prev := page(path)
		if next != "" && len(found) != 20 {
			t.Errorf("%s shows %d threads and a next page, want 20", path, len(found))
		}
		for _, id := range found {
			seen[id]++
			if duplicates[id] {
				t.Errorf("%s shows the duplicate %d", path, id)
			}
		}
		if len(pages) > 0 {
			if back, _, _ := page(prev); !slices.Equal(back, pages[len(pages)-1]) {
				t.Errorf("%s goes back to %s, which shows %v, not the page before, %v", path, prev, back, pages[len(pages)-1])
			}
		}
		pages = append(pages, found)
		path = next
	}
	if len(pages) != 2 {
		t.Errorf("%d pages, want 2", len(pages))
	}
	for _, id := range ids { // the canonical thread among them
		if seen[id] != 1 {
			t.Errorf("thread %d shown %d times over the pages, want once", id, seen[id])
		}
	}

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/suggest?q="+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	var suggested []struct{ ID int64 }
	if err := json.Unmarshal([]byte(c.Do(req).Body), &suggested); err != nil {
		t.Fatal(err)
	}
	// Only what fits: the duplicates' words match far better than the other
	// threads' three of five, so those are not suggested beside them.
	if len(suggested) == 0 || suggested[0].ID != canonical.ID {
		t.Errorf("suggested %v, want the canonical %d first", suggested, canonical.ID)
	}
	once := map[int64]bool{}
	for _, sg := range suggested {
		if duplicates[sg.ID] || once[sg.ID] {
			t.Errorf("suggested %v: thread %d is a duplicate or shown twice", suggested, sg.ID)
		}
		once[sg.ID] = true
	}
}

// TestStaffFindPostsWaitingForReview: a newcomer's question and a newcomer's
// answer, both waiting for review, are found by a moderator's search at once,
// and by nobody else's.
func TestStaffFindPostsWaitingForReview(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.TrustReputation, c.ReviewFirstPosts = 20, 5 }})
	ctx := context.Background()
	b := newBoard(t, srv, "internet", nil)
	open, err := srv.App.Threads.Create(ctx, srv.Fixtures.Agent, thread.Ask{BoardID: b.ID, Title: "Fibre installation appointment", Body: "How long does it take?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := srv.App.Threads.Reply(ctx, srv.Fixtures.Other, open.ID, "The technician needed zanzibarwords hours.")
	if err != nil || !answer.Pending {
		t.Fatalf("a newcomer's answer: %+v, %v; want it held", answer, err)
	}
	question, err := srv.App.Threads.Create(ctx, srv.Fixtures.Member, thread.Ask{BoardID: b.ID, Title: "Quokkaphone will not pair", Body: "Bluetooth fails.", Language: "en"})
	if err != nil || !question.Pending {
		t.Fatalf("a newcomer's question: %+v, %v; want it held", question, err)
	}
	apptest.AwaitIndex(t, srv.App)
	mod, member, guest := srv.Client(t), srv.Client(t), srv.Client(t)
	mod.Login("mia_mod", apptest.Password)
	member.Login("sam_agent", apptest.Password) // an agent is not staff who moderate
	for q, id := range map[string]int64{"zanzibarwords": open.ID, "quokkaphone": question.ID} {
		link := fmt.Sprintf("/t/%d/", id)
		if r := mod.Get("/search?q=" + q); !strings.Contains(r.Body, link) {
			t.Errorf("a moderator's search for %q does not find %s", q, link)
		}
		for who, c := range map[string]*apptest.Client{"an agent": member, "a guest": guest} {
			if r := c.Get("/search?q=" + q); strings.Contains(r.Body, link) {
				t.Errorf("%s's search for %q finds the post waiting for review", who, q)
			}
		}
	}
}

// TestSearchFloodIsRefusedNotQueued fills every place for searches, as a flood
// of slow queries would: a further search and suggestion get 503 with
// Retry-After at once (a page in the reader's language, problem details for
// JSON), other pages are served as usual, and searches work again once the
// places are free.
func TestSearchFloodIsRefusedNotQueued(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{Config: func(c *config.Config) { c.SearchConcurrency = 3 }})
	c := srv.Client(t)
	c.Language = "de"
	if r := c.Get("/search?q=modem"); r.StatusCode != http.StatusOK {
		t.Fatalf("search before the flood: %d", r.StatusCode)
	}
	release := srv.Web.HoldSearches()
	// An answer kept from before runs no search: it is served during the flood.
	if r := c.Get("/search?q=modem"); r.StatusCode != http.StatusOK {
		t.Errorf("a search answered just before, while full: %d", r.StatusCode)
	}
	began := time.Now()
	r := c.Get("/search?q=router")
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("search while full: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if waited := time.Since(began); waited > 5*time.Second {
		t.Errorf("the refused search was kept waiting %s", waited)
	}
	mustContain(t, r, "Die Suche ist gerade ausgelastet")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/suggest?q=router", nil)
	req.Header.Set("Accept", "application/json")
	resp := c.Do(req)
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil || resp.StatusCode != http.StatusServiceUnavailable ||
		p.Status != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("suggest while full: %d %s %q (%v)", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Body, err)
	}
	if r := c.Get("/"); r.StatusCode != http.StatusOK {
		t.Errorf("the front page while search is full: %d", r.StatusCode)
	}
	release()
	if r := c.Get("/search?q=router"); r.StatusCode != http.StatusOK {
		t.Errorf("search after the flood: %d", r.StatusCode)
	}
}
