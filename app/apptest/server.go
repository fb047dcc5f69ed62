package apptest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/web"
)

// Server is the real HTTP server on a loopback port.
type Server struct {
	URL      string
	App      *app.App
	Web      *web.Server
	Fixtures Fixtures
}

// ServerOptions adjust NewServer.
type ServerOptions struct {
	Config func(*config.Config)
	Hook   web.RouteHook
	// SitemapURLs lowers the URLs per sitemap file (app.Options).
	SitemapURLs int
}

// NewServer starts the whole application on 127.0.0.1 with seeded fixtures and
// stops it, finishing requests in flight, when the test ends.
func NewServer(t testing.TB, o ServerOptions) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("apptest: listen: %v", err)
	}
	// The base URL is the server's own, as providers of single sign-on send
	// the browser back to it; a test's Config may still change it.
	base := "http://" + ln.Addr().String()
	a := newApp(t, Config(t, func(c *config.Config) {
		c.BaseURL = base
		if o.Config != nil {
			o.Config(c)
		}
	}), app.Options{SitemapURLs: o.SitemapURLs})
	fx := Seed(t, a.Users)
	srv, err := a.WebServer(context.Background(), o.Hook)
	if err != nil {
		ln.Close()
		t.Fatalf("apptest: web server: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	ictx, stopIndexer := context.WithCancel(context.Background())
	indexed := make(chan struct{})
	go func() { defer close(indexed); a.RunEvents(ictx, 20*time.Millisecond) }()
	mailed := make(chan struct{})
	go func() { defer close(mailed); a.Mail.Run(ictx) }()
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		a.Limiter.Run(ictx, 100*time.Millisecond, func(err error) { t.Errorf("apptest: flush rate limits: %v", err) })
	}()
	t.Cleanup(func() { stopIndexer(); <-indexed; <-mailed; <-counted })
	// A consumer starts at the head of the outbox when it first claims its
	// lease: what a test does before that, it would never hear of.
	if !Eventually(10*time.Second, func() bool {
		var n int64
		a.DB.Reader(context.Background()).Raw("SELECT COUNT(*) FROM outbox_readers WHERE name = ? AND owner <> ''", a.Notify.Name()).Scan(&n)
		return n == 1
	}) {
		t.Fatal("apptest: the notification consumer never started")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("apptest: shutdown: %v", err)
		}
		<-done
	})
	return &Server{URL: base, App: a, Web: srv, Fixtures: fx}
}

// Client is a browser-like HTTP client: it keeps cookies and finds the CSRF token
// in the last page it fetched, like a person filling in a form.
type Client struct {
	t        testing.TB
	base     string
	http     *http.Client
	Language string // sent as Accept-Language when set
	lastCSRF string
}

// Response is a finished response with its body read.
type Response struct {
	*http.Response
	Body string
}

// Client returns a new client with an empty cookie jar. It follows redirects.
func (s *Server) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: s.URL, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// Cookies returns the cookies the client would send to u.
func (c *Client) Cookies(u string) []*http.Cookie {
	parsed, err := url.Parse(u)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.http.Jar.Cookies(parsed)
}

// NoRedirects makes the client return redirects instead of following them.
func (c *Client) NoRedirects() *Client {
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

var csrfPattern = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Do sends req and reads the response.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	if c.Language != "" {
		req.Header.Set("Accept-Language", c.Language)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	if m := csrfPattern.FindSubmatch(b); m != nil {
		c.lastCSRF = string(m[1])
	}
	return &Response{Response: resp, Body: string(b)}
}

// Get fetches path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Do(req)
}

// Post submits form to path as a browser would, adding the CSRF token from the last
// page unless the form carries one.
func (c *Client) Post(path string, form url.Values) *Response {
	c.t.Helper()
	if _, ok := form["_csrf"]; !ok && c.lastCSRF != "" {
		form.Set("_csrf", c.lastCSRF)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Login signs in through the sign-in form and fails the test if that does not work.
func (c *Client) Login(login, password string) {
	c.t.Helper()
	c.Get("/login")
	r := c.Post("/login", url.Values{"login": {login}, "password": {password}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `action="/logout"`) {
		c.t.Fatalf("login as %s: status %d, not signed in", login, r.StatusCode)
	}
}

// Settle waits until the notification consumer has handled every event written
// so far, so that a page's unread count no longer changes under the test.
func (s *Server) Settle(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	var head int64
	if err := s.App.DB.Reader(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM outbox").Scan(&head).Error; err != nil {
		t.Fatal(err)
	}
	if !Eventually(10*time.Second, func() bool {
		var at int64
		s.App.DB.Reader(ctx).Raw("SELECT last_id FROM outbox_readers WHERE name = ?", s.App.Notify.Name()).Scan(&at)
		return at >= head
	}) {
		t.Fatal("apptest: the notification consumer did not catch up")
	}
}
