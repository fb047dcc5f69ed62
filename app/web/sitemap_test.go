package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/thread"
)

// sitemapEntry is a <url> or <sitemap> of either kind of sitemap file.
type sitemapEntry struct {
	Loc     string `xml:"loc"`
	Lastmod string `xml:"lastmod"`
}

type sitemapFile struct {
	XMLName  xml.Name
	URLs     []sitemapEntry `xml:"url"`
	Sitemaps []sitemapEntry `xml:"sitemap"`
}

// TestSitemapListsEveryPublicThreadOnce builds a forum with public threads and
// one each hidden, deleted, waiting for review and merged, cuts it into files of
// three threads, and reads the sitemap as a crawler would: every file valid by
// the sitemaps.org schemas, every public thread in it once by its canonical
// address and last activity, nothing else; a run of ids without a public thread
// gets no file, as a file may not be empty.
func TestSitemapListsEveryPublicThreadOnce(t *testing.T) {
	xmllint := requireXMLLint(t)
	srv := apptest.NewServer(t, apptest.ServerOptions{SitemapURLs: 3, Config: func(c *config.Config) {
		c.TrustReputation, c.ReviewFirstPosts = 20, 1 // otto's first question waits for review
	}})
	ctx := context.Background()
	fx := srv.Fixtures
	internet := newBoard(t, srv, "internet", nil)
	mobile := newBoard(t, srv, "mobile", nil)
	newBoard(t, srv, "empty", nil) // only a hidden thread: no page to find
	empty, err := srv.App.Boards.GetBySlug(ctx, "empty")
	if err != nil {
		t.Fatal(err)
	}
	ask := func(board int64, title string) *thread.Thread {
		t.Helper()
		th, err := srv.App.Threads.Create(ctx, fx.Agent, thread.Ask{BoardID: board, Title: title, Body: "What now?", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	public := map[int64]bool{}
	for i := range 3 { // ids 1-3: the first file
		public[ask(internet.ID, fmt.Sprintf("Router question number %d", i)).ID] = true
	}
	// Ids 4-6, none public: no second file.
	hidden := ask(empty.ID, "A question staff hid from view")
	if err := srv.App.Moderation.HideThread(ctx, fx.Moderator, hidden.ID, "spam"); err != nil {
		t.Fatal(err)
	}
	deleted := ask(internet.ID, "A question deleted by a moderator")
	page, err := srv.App.Threads.Posts(ctx, fx.Moderator, deleted, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Moderation.Delete(ctx, fx.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	pending, err := srv.App.Threads.Create(ctx, fx.Other, thread.Ask{BoardID: internet.ID, Title: "A newcomer's first question", Body: "Hello?", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !pending.Pending {
		t.Fatal("the newcomer's question does not wait for review")
	}
	// Ids 7-10: a merged one among them; its target stays.
	merged := ask(mobile.ID, "Roaming does not work abroad")
	for i := range 3 {
		public[ask(mobile.ID, fmt.Sprintf("Mobile question number %d", i)).ID] = true
	}
	if _, err := srv.App.Moderation.Merge(ctx, fx.Moderator, merged.ID, merged.ID+1, "the same question"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{hidden.ID, deleted.ID, pending.ID, merged.ID} {
		if public[id] {
			t.Fatalf("thread %d is meant to be hidden from guests", id)
		}
	}

	c := srv.Client(t)
	index := getSitemap(t, c, "/sitemap.xml", xmllint, "siteindex.xsd")
	var locs []string
	for _, s := range index.Sitemaps {
		locs = append(locs, s.Loc)
	}
	wantFiles := []string{srv.URL + "/sitemap/boards.xml", srv.URL + "/sitemap/threads-1.xml", srv.URL + "/sitemap/threads-3.xml", srv.URL + "/sitemap/threads-4.xml"}
	if diff := cmp.Diff(wantFiles, locs); diff != "" {
		t.Errorf("the index's files (-want +got):\n%s", diff)
	}
	seen := map[string]int{}
	for _, s := range index.Sitemaps[1:] {
		f := getSitemap(t, c, strings.TrimPrefix(s.Loc, srv.URL), xmllint, "sitemap.xsd")
		if len(f.URLs) > 3 {
			t.Errorf("%s lists %d URLs, want at most 3", s.Loc, len(f.URLs))
		}
		latest := ""
		for _, u := range f.URLs {
			seen[u.Loc]++
			var id int64
			fmt.Sscanf(strings.TrimPrefix(u.Loc, srv.URL+"/t/"), "%d", &id)
			th := mustThread(t, srv, id)
			if want := srv.URL + fmt.Sprintf("/t/%d/%s", th.ID, th.Slug); u.Loc != want {
				t.Errorf("listed as %s, want the canonical %s", u.Loc, want)
			}
			if want := th.LastActivityAt.UTC().Format(time.RFC3339); u.Lastmod != want {
				t.Errorf("%s: lastmod %s, want its last activity %s", u.Loc, u.Lastmod, want)
			}
			latest = max(latest, u.Lastmod)
		}
		if s.Lastmod != latest {
			t.Errorf("the index gives %s lastmod %s, want its latest thread's %s", s.Loc, s.Lastmod, latest)
		}
	}
	for id := range public {
		th := mustThread(t, srv, id)
		if loc := srv.URL + fmt.Sprintf("/t/%d/%s", id, th.Slug); seen[loc] != 1 {
			t.Errorf("%s listed %d times, want once", loc, seen[loc])
		}
		delete(seen, srv.URL+fmt.Sprintf("/t/%d/%s", id, th.Slug))
	}
	for loc := range seen {
		t.Errorf("%s is listed, but guests may not read it", loc)
	}
	if r := c.Get("/sitemap/threads-2.xml"); r.StatusCode != http.StatusNotFound {
		t.Errorf("the file of ids without a public thread: %d, want 404", r.StatusCode)
	}

	boards := getSitemap(t, c, "/sitemap/boards.xml", xmllint, "sitemap.xsd")
	var pages []string
	for _, u := range boards.URLs {
		pages = append(pages, u.Loc)
	}
	if diff := cmp.Diff([]string{srv.URL + "/", srv.URL + "/b/internet", srv.URL + "/b/mobile"}, pages); diff != "" {
		t.Errorf("the boards' file (-want +got):\n%s", diff)
	}
}

// TestSitemapHTTP: sitemaps are XML, public for an hour, gzipped for clients
// that take it, and the index answers 304 to a client whose copy is current.
func TestSitemapHTTP(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	seedThread(t, srv)
	c := srv.Client(t)
	for _, path := range []string{"/sitemap.xml", "/sitemap/boards.xml", "/sitemap/threads-1.xml"} {
		plain := sitemapRequest(t, c, srv.URL+path, "identity", "")
		zipped := sitemapRequest(t, c, srv.URL+path, "gzip, br", "")
		for _, r := range []*apptest.Response{plain, zipped} {
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/xml") {
				t.Errorf("GET %s: Content-Type %q, want application/xml", path, got)
			}
			if got := r.Header.Get("Cache-Control"); !strings.HasPrefix(got, "public, max-age=") {
				t.Errorf("GET %s: Cache-Control %q, want public", path, got)
			}
			if len(r.Cookies()) > 0 {
				t.Errorf("GET %s sets cookies: %v", path, r.Cookies())
			}
		}
		if got := plain.Header.Get("Content-Encoding"); got != "" {
			t.Errorf("GET %s without gzip: Content-Encoding %q", path, got)
		}
		if got := zipped.Header.Get("Content-Encoding"); got != "gzip" {
			t.Fatalf("GET %s accepting gzip: Content-Encoding %q, want gzip", path, got)
		}
		zr, err := gzip.NewReader(strings.NewReader(zipped.Body))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if string(unzipped) != plain.Body || !strings.Contains(plain.Body, srv.URL+"/") {
			t.Errorf("GET %s: gzipped %q, plain %q", path, unzipped, plain.Body)
		}
	}
	head, err := http.NewRequest(http.MethodHead, srv.URL+"/sitemap/threads-1.xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Do(head); r.StatusCode != http.StatusOK || r.Body != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
		t.Errorf("HEAD of a streamed file: %d, %q, %d bytes", r.StatusCode, r.Header.Get("Content-Type"), len(r.Body))
	}
	first := sitemapRequest(t, c, srv.URL+"/sitemap.xml", "gzip", "")
	etag := first.Header.Get("ETag")
	if etag == "" || first.Header.Get("Last-Modified") == "" {
		t.Fatalf("the index has ETag %q, Last-Modified %q", etag, first.Header.Get("Last-Modified"))
	}
	if r := sitemapRequest(t, c, srv.URL+"/sitemap.xml", "gzip", etag); r.StatusCode != http.StatusNotModified || r.Body != "" {
		t.Errorf("the index with its ETag: %d, %d bytes; want 304 and none", r.StatusCode, len(r.Body))
	}
}

// TestRobots: robots.txt names the sitemap and keeps crawlers out of every
// page of the router that is not meant to be found: a GET route added
// without a decision here fails.
func TestRobots(t *testing.T) {
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	r := srv.Client(t).Get("/robots.txt")
	if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", got)
	}
	mustContain(t, r, "User-agent: *\n", "\nSitemap: "+srv.URL+"/sitemap.xml\n")
	var disallowed []string
	for line := range strings.Lines(r.Body) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "Disallow: "); ok {
			disallowed = append(disallowed, p)
		}
	}
	for _, p := range []string{"/search", "/suggest", "/ask", "/mod/", "/admin/", "/settings/", "/login", "/signup"} {
		if !slices.Contains(disallowed, p) {
			t.Errorf("robots.txt does not disallow %s", p)
		}
	}
	// The pages a search engine should find; the rest of GET's routes must be
	// disallowed.
	found := map[string]bool{
		"/": true, "/b/:slug": true, "/t/:id<int>": true, "/t/:id<int>/:slug": true, "/u/:handle": true,
		"/badges": true, "/badges/:id": true, "/leaderboard": true, "/static/*": true, "/uploads/:name": true,
		"/u/:handle/avatar": true, "/robots.txt": true, "/sitemap.xml": true, "/sitemap/boards.xml": true, "/sitemap/threads-:n<int>.xml": true,
	}
	for _, route := range srv.Web.Routes() {
		if route.Method != http.MethodGet || found[route.Path] {
			continue
		}
		literal, _, _ := strings.Cut(route.Path, ":")
		literal, _, _ = strings.Cut(literal, "*")
		if !slices.ContainsFunc(disallowed, func(p string) bool { return strings.HasPrefix(literal, p) }) {
			t.Errorf("GET %s is neither a page to find nor disallowed in robots.txt", route.Path)
		}
	}
	for _, p := range disallowed {
		for path := range found {
			if strings.HasPrefix(path, p) {
				t.Errorf("robots.txt disallows %s, a page to find", path)
			}
		}
	}
}

// sitemapRequest gets url accepting encoding, with an If-None-Match of etag
// unless it is "".
func sitemapRequest(t *testing.T, c *apptest.Client, url, encoding, etag string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", encoding) // set, so that the client leaves the body as sent
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	return c.Do(req)
}

// getSitemap fetches a sitemap file, checks it against the sitemaps.org
// schema xsd with xmllint, and parses it.
func getSitemap(t *testing.T, c *apptest.Client, path, xmllint, xsd string) sitemapFile {
	t.Helper()
	r := c.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	file := filepath.Join(t.TempDir(), "sitemap.xml")
	if err := os.WriteFile(file, []byte(r.Body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "sitemaps", xsd), file)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("GET %s is not valid by %s: %v\n%s\n%s", path, xsd, err, out.String(), r.Body)
	}
	var f sitemapFile
	if err := xml.Unmarshal([]byte(r.Body), &f); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return f
}

// requireXMLLint finds xmllint, and fails rather than skips without it: the
// schema check is the point of the test.
func requireXMLLint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is missing: install libxml2-utils (apt-get install -y libxml2-utils) to check the sitemap against the sitemaps.org schemas")
	}
	return p
}
