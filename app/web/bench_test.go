package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/web"
)

// memberCookie signs a member in for benchmarks of the personal, uncached path;
// moderatorCookie the big forum's moderator.
var memberCookie, moderatorCookie string

// benchServer opens the 100k-thread / 1M-post SQLite forum (built once, cached).
func benchServer(b *testing.B) (*web.Server, *thread.Thread) {
	b.Helper()
	dir := apptest.Million.DataDir(b)
	cfg := apptest.Config(b, func(c *config.Config) {
		c.DataDir, c.DatabaseURL, c.DBMaxConns = dir, "", 8
	})
	a := apptest.NewApp(b, cfg)
	srv, err := a.WebServer(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	// Every LongThreads-th thread has 40 answers: its first page shows 30.
	th, err := a.Threads.Get(context.Background(), int64(apptest.Million.LongThreads*500))
	if err != nil {
		b.Fatal(err)
	}
	token, err := a.Sessions.Create(context.Background(), 1, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	memberCookie = "schwarm_session=" + token
	mod, err := a.Users.GetByHandle(context.Background(), apptest.Moderator)
	if err != nil {
		b.Fatal(err)
	}
	if token, err = a.Sessions.Create(context.Background(), mod.ID, "127.0.0.1", "bench"); err != nil {
		b.Fatal(err)
	}
	moderatorCookie = "schwarm_session=" + token
	return srv, th
}

func benchGet(b *testing.B, h func(*http.Request) (*http.Response, error), path string, want string) {
	b.Helper()
	check := func() int {
		resp, err := h(httpRequest(path))
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			b.Fatalf("GET %s: %d, %d bytes, lacks %q", path, resp.StatusCode, len(body), want)
		}
		return len(body)
	}
	b.SetBytes(int64(check()))
	b.ReportAllocs()
	for b.Loop() {
		resp, err := h(httpRequest(path))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func httpRequest(path string) *http.Request {
	cookie := ""
	if p, ok := strings.CutPrefix(path, "member:"); ok {
		path, cookie = p, memberCookie
	} else if p, ok := strings.CutPrefix(path, "moderator:"); ok {
		path, cookie = p, moderatorCookie
	}
	req, _ := http.NewRequest(http.MethodGet, "http://bench"+path, nil)
	req.Header.Set("Accept-Language", "en")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return req
}

// BenchmarkThreadPage renders a thread's first page: the question and 30 answers.
func BenchmarkThreadPage(b *testing.B) {
	srv, th := benchServer(b)
	benchGet(b, srv.Handle, fmt.Sprintf("/t/%d/%s", th.ID, th.Slug), `class="post-body"`)
}

// BenchmarkThreadPageMember is the same page for a signed-in member: rendered for
// them, never from the guest cache.
func BenchmarkThreadPageMember(b *testing.B) {
	srv, th := benchServer(b)
	benchGet(b, srv.Handle, fmt.Sprintf("member:/t/%d/%s", th.ID, th.Slug), `action="/logout"`)
}

// BenchmarkThreadPageMemberAfresh is that page for a member whose session,
// unread count and watch are read for the request, as for one who opens a page
// now and then: the member cache's holes with every query they need.
func BenchmarkThreadPageMemberAfresh(b *testing.B) {
	srv, th := benchServer(b)
	srv.ReadViewersAfresh()
	benchGet(b, srv.Handle, fmt.Sprintf("member:/t/%d/%s", th.ID, th.Slug), `action="/logout"`)
}

// BenchmarkBoardListMemberAfresh is BenchmarkBoardListMember so.
func BenchmarkBoardListMemberAfresh(b *testing.B) {
	srv, _ := benchServer(b)
	srv.ReadViewersAfresh()
	benchGet(b, srv.Handle, "member:/b/board-1", `action="/logout"`)
}

// BenchmarkThreadPageModerator is the thread page for the forum's moderator.
func BenchmarkThreadPageModerator(b *testing.B) {
	srv, th := benchServer(b)
	benchGet(b, srv.Handle, fmt.Sprintf("moderator:/t/%d/%s", th.ID, th.Slug), `action="/logout"`)
}

// BenchmarkBoardListMember renders a board's list for a signed-in member.
func BenchmarkBoardListMember(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "member:/b/board-1", `action="/logout"`)
}

// BenchmarkBoardList renders a board's latest tab: 30 threads.
func BenchmarkBoardList(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "/b/board-1", `class="thread-item"`)
}

// BenchmarkFrontPage renders the front page: 30 threads of every board.
func BenchmarkFrontPage(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "/", `class="thread-item"`)
}

// BenchmarkModQueue renders the review queue's first page for the moderator, with
// 1,000 posts waiting.
func BenchmarkModQueue(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "moderator:/mod/queue", `queue-item`)
}

// BenchmarkModAudit renders the audit log's first page, of 10,000 rows, for the
// moderator; BenchmarkModAuditFiltered filters it by action and a date range.
func BenchmarkModAudit(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "moderator:/mod/audit", `href="/mod/audit?`)
}

func BenchmarkModAuditFiltered(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "moderator:/mod/audit?action=member.restrict&from=2026-10-01&to=2026-10-20", `<tbody>`)
}

// BenchmarkBareFiber is the floor: Fiber answering a fixed 20 KB page.
func BenchmarkBareFiber(b *testing.B) {
	page := bytes.Repeat([]byte("<p>Schwarm benchmark filler text.</p>\n"), 20*1024/39)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error { c.Type("html"); return c.Send(page) })
	benchGet(b, func(r *http.Request) (*http.Response, error) { return app.Test(r, -1) }, "/", "filler")
}

// BenchmarkSitemap reads the whole sitemap of the 100k-thread forum as a
// crawler does: the index, then every file it names. BenchmarkSitemapGzip
// asks for each gzipped.
func BenchmarkSitemap(b *testing.B)     { benchSitemap(b, "identity") }
func BenchmarkSitemapGzip(b *testing.B) { benchSitemap(b, "gzip") }

// BenchmarkSitemapIndex is the index alone: MAX(id), and the latest activity
// in each run of 50,000 ids.
func BenchmarkSitemapIndex(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "/sitemap.xml", "/sitemap/threads-2.xml")
}

func benchSitemap(b *testing.B, encoding string) {
	srv, _ := benchServer(b)
	get := func(url string) []byte {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept-Encoding", encoding)
		resp, err := srv.Handle(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
		}
		return body
	}
	locs := regexp.MustCompile(`<loc>([^<]+)</loc>`)
	all := func() (files, size int) {
		index := get("http://bench/sitemap.xml")
		size = len(index)
		if encoding == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(index))
			if err != nil {
				b.Fatal(err)
			}
			if index, err = io.ReadAll(zr); err != nil {
				b.Fatal(err)
			}
		}
		for _, m := range locs.FindAllSubmatch(index, -1) {
			size += len(get(string(m[1])))
			files++
		}
		return files, size
	}
	files, size := all()
	if files < 3 {
		b.Fatalf("the index names %d files, want the boards' and at least two of threads", files)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		all()
	}
}

// BenchmarkSearchPage is the search page of the worst-case query on the
// worst-case forum (57 words: every word is in most threads).
func BenchmarkSearchPage(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, srv.Handle, "/search?q=router+wifi+slow", `class="thread-item`)
}

// BenchmarkSuggestJSON is a suggestion as the ask page's script asks for it.
func BenchmarkSuggestJSON(b *testing.B) {
	srv, _ := benchServer(b)
	benchGet(b, func(r *http.Request) (*http.Response, error) {
		r.Header.Set("Accept", "application/json")
		return srv.Handle(r)
	}, "/suggest?q=router+wifi+slow+evening", `"url"`)
}
