package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

// The viewers of the authorization test: a guest, a member who wrote nothing
// here, the owner (who asked the thread and wrote its question), an agent, a
// moderator and an admin.
var viewers = []string{"guest", "member", "owner", "agent", "moderator", "admin"}

// Who may call each route. A route of the router without an entry here fails
// the test, so that every new route says who may call it.
var (
	everyone  = viewers
	signedIn  = viewers[1:]
	ownerUp   = []string{"owner", "moderator", "admin"} // the author, and staff who moderate
	askerUp   = []string{"owner", "agent", "moderator", "admin"}
	agentUp   = viewers[3:]
	modUp     = viewers[4:]
	adminOnly = viewers[5:]
)

var access = map[string][]string{
	"GET /healthz":                                everyone,
	"GET /readyz":                                 everyone,
	"GET /static/*":                               everyone,
	"GET /uploads/:name":                          everyone,
	"GET /u/:handle/avatar":                       everyone,
	"GET /robots.txt":                             everyone,
	"GET /sitemap.xml":                            everyone,
	"GET /sitemap/boards.xml":                     everyone,
	"GET /sitemap/threads-:n<int>.xml":            everyone,
	"GET /":                                       everyone,
	"GET /b/:slug":                                everyone,
	"GET /t/:id<int>":                             everyone,
	"GET /t/:id<int>/:slug":                       everyone,
	"GET /u/:handle":                              everyone,
	"GET /badges":                                 everyone,
	"GET /badges/:id":                             everyone,
	"GET /leaderboard":                            everyone,
	"GET /tags/suggest":                           everyone,
	"GET /search":                                 everyone,
	"GET /suggest":                                everyone,
	"GET /ask":                                    signedIn,
	"POST /ask":                                   signedIn,
	"POST /ask/solved":                            signedIn,
	"POST /t/:id<int>/reply":                      signedIn,
	"GET /p/:id<int>/edit":                        ownerUp,
	"POST /p/:id<int>/edit":                       ownerUp,
	"GET /p/:id<int>/history":                     ownerUp,
	"POST /p/:id<int>/delete":                     ownerUp,
	"POST /p/:id<int>/restore":                    ownerUp,
	"POST /p/:id<int>/kudos":                      signedIn,
	"POST /p/:id<int>/accept":                     askerUp,
	"POST /t/:id<int>/unaccept":                   askerUp,
	"POST /p/:id<int>/flag":                       signedIn, // the owner is told a post of theirs is not for flagging
	"POST /u/:handle/report":                      signedIn,
	"POST /p/:id<int>/approve":                    modUp,
	"POST /p/:id<int>/hide":                       modUp,
	"POST /u/:handle/reports/dismiss":             modUp,
	"POST /t/:id<int>/duplicate":                  modUp,
	"POST /t/:id<int>/reopen":                     modUp,
	"POST /t/:id<int>/move":                       modUp,
	"POST /t/:id<int>/merge":                      modUp,
	"POST /t/:id<int>/split":                      modUp,
	"POST /t/:id<int>/lock":                       modUp,
	"POST /t/:id<int>/unlock":                     modUp,
	"POST /t/:id<int>/pin":                        modUp,
	"POST /t/:id<int>/unpin":                      modUp,
	"POST /t/:id<int>/hide":                       modUp,
	"POST /t/:id<int>/restore":                    modUp,
	"POST /preview":                               signedIn,
	"POST /uploads":                               signedIn,
	"GET /settings/export":                        signedIn,
	"GET /admin/users/:id<int>/export":            adminOnly,
	"POST /settings/delete":                       signedIn,
	"POST /admin/users/:id<int>/delete":           adminOnly,
	"GET /signup":                                 everyone,
	"POST /signup":                                everyone,
	"GET /login":                                  everyone,
	"POST /login":                                 everyone,
	"POST /logout":                                everyone,
	"GET /language":                               everyone,
	"POST /language":                              everyone,
	"GET /settings/profile":                       signedIn,
	"POST /settings/profile":                      signedIn,
	"POST /settings/avatar":                       signedIn,
	"POST /settings/avatar/remove":                signedIn,
	"GET /mod/queue":                              modUp,
	"POST /u/:handle/restrict":                    modUp,
	"POST /p/:id<int>/reject":                     modUp,
	"GET /mod/audit":                              modUp,
	"GET /mod/notices":                            agentUp,
	"POST /mod/notices":                           agentUp,
	"POST /mod/notices/:id<int>/end":              agentUp,
	"GET /mod/audit.csv":                          modUp,
	"GET /admin/users":                            adminOnly,
	"POST /admin/users/:id<int>/role":             adminOnly,
	"GET /admin/boards":                           adminOnly,
	"POST /admin/boards":                          adminOnly,
	"POST /admin/boards/:id<int>":                 adminOnly,
	"GET /admin/moderation":                       adminOnly,
	"POST /admin/moderation":                      adminOnly,
	"POST /admin/moderation/reset":                adminOnly,
	"GET /settings/notifications":                 signedIn,
	"POST /settings/notifications":                signedIn,
	"GET /notifications":                          signedIn,
	"GET /notifications/:id<int>":                 signedIn,
	"POST /notifications/read":                    signedIn,
	"POST /watch":                                 signedIn,
	"POST /unwatch":                               signedIn,
	"GET /users/suggest":                          signedIn,
	"GET /unsubscribe/:uid<int>/:kind/:mac":       everyone,
	"POST /unsubscribe/:uid<int>/:kind/:mac":      everyone,
	"GET /password/forgot":                        everyone,
	"POST /password/forgot":                       everyone,
	"GET /password/reset":                         everyone,
	"POST /password/reset":                        everyone,
	"GET /verify":                                 everyone,
	"POST /verify":                                everyone,
	"POST /verify/resend":                         everyone,
	"GET /auth/:provider":                         everyone,
	"GET /auth/:provider/callback":                everyone,
	"GET /signup/sso":                             everyone,
	"POST /signup/sso":                            everyone,
	"GET /settings/connections/:provider":         signedIn,
	"POST /settings/connections/:provider/remove": signedIn,
	"GET /settings/connections/:provider/confirm": signedIn,
}

// noCSRF are the routes that take a POST without the CSRF token: the one-click
// unsubscribe of a mail client (RFC 8058), whose signed link is the check.
var noCSRF = map[string]bool{"POST /unsubscribe/:uid<int>/:kind/:mac": true}

// hidden are the routes that answer 404 to those who may not call them: they do
// not say that what they would show exists.
var hidden = map[string]bool{"GET /p/:id<int>/history": true}

// TestWhoMayCallEachRoute takes the routes from the router and, for each viewer,
// checks that those who may not are refused (403, or a guest sent to sign in)
// and those who may are not; and that every route that changes state refuses a
// request without the CSRF token. Each route gets a forum of its own, so that
// what one viewer did does not decide what the next one sees.
func TestWhoMayCallEachRoute(t *testing.T) {
	probe := apptest.NewServer(t, apptest.ServerOptions{})
	routes := probe.Web.Routes()
	seen := map[string]bool{}
	for _, r := range routes {
		if r.Method == http.MethodHead || seen[r.Method+" "+r.Path] {
			continue // HEAD is GET's handler
		}
		key := r.Method + " " + r.Path
		seen[key] = true
		allowed, ok := access[key]
		if !ok {
			t.Errorf("route %s has no entry in the access table", key)
			continue
		}
		t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
			f := newAuthzForum(t)
			path := f.fill(r.Path)
			// Those who may not go first: they must change nothing.
			order := slices.Clone(viewers)
			slices.SortStableFunc(order, func(a, b string) int {
				return boolInt(slices.Contains(allowed, a)) - boolInt(slices.Contains(allowed, b))
			})
			for _, v := range order {
				resp := f.request(t, v, r.Method, path)
				refused := resp.StatusCode == http.StatusForbidden || hidden[key] && resp.StatusCode == http.StatusNotFound ||
					resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
				if may := slices.Contains(allowed, v); may && refused {
					t.Errorf("%s %s as %s: refused (%d to %q), want allowed", r.Method, path, v, resp.StatusCode, resp.Header.Get("Location"))
				} else if !may && !refused {
					t.Errorf("%s %s as %s: %d, want 403 or the sign-in page", r.Method, path, v, resp.StatusCode)
				} else if !may && v == "guest" && r.Method == http.MethodGet && !hidden[key] && resp.StatusCode != http.StatusSeeOther {
					t.Errorf("GET %s as a guest: %d, want the sign-in page", path, resp.StatusCode)
				}
			}
			if r.Method == http.MethodPost && !noCSRF[key] {
				c := f.clients["admin"]
				resp := c.Post(path, url.Values{"_csrf": {""}})
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("POST %s without the CSRF token: %d, want 403", path, resp.StatusCode)
				}
			}
		})
	}
	for key := range access {
		if !seen[key] {
			t.Errorf("the access table names %s, which the router does not have", key)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// authzForum is a forum with a board, the owner's thread (with an agent's
// answer) and a client signed in for each viewer.
type authzForum struct {
	srv      *apptest.Server
	board    *board.Board
	thread   *thread.Thread
	question int64
	clients  map[string]*apptest.Client
}

func newAuthzForum(t *testing.T) *authzForum {
	t.Helper()
	srv := apptest.NewServer(t, apptest.ServerOptions{})
	th := seedThread(t, srv) // asked by mara, the owner
	page, err := srv.App.Threads.Posts(context.Background(), srv.Fixtures.Moderator, th, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := srv.App.Boards.GetBySlug(context.Background(), "internet")
	if err != nil {
		t.Fatal(err)
	}
	f := &authzForum{srv: srv, board: b, thread: th, question: page.Question.ID, clients: map[string]*apptest.Client{}}
	for v, login := range map[string]string{"member": "otto", "owner": "mara", "agent": "sam_agent", "moderator": "mia_mod", "admin": "root_admin"} {
		c := srv.Client(t)
		c.Login(login, apptest.Password)
		c.NoRedirects()
		f.clients[v] = c
	}
	f.clients["guest"] = srv.Client(t).NoRedirects()
	return f
}

// fill puts ids of this forum into a route's pattern: a thread's id, its
// question (the owner's post), a member, a board.
func (f *authzForum) fill(pattern string) string {
	r := strings.NewReplacer(
		"/t/:id<int>", fmt.Sprintf("/t/%d", f.thread.ID),
		"/p/:id<int>", fmt.Sprintf("/p/%d", f.question),
		"/admin/users/:id<int>", fmt.Sprintf("/admin/users/%d", f.srv.Fixtures.Other.ID),
		"/admin/boards/:id<int>", fmt.Sprintf("/admin/boards/%d", f.board.ID),
		"/notifications/:id<int>", "/notifications/1", "/mod/notices/:id<int>", "/mod/notices/1", ":n<int>", "1", ":uid<int>", "1", ":kind", "answer", ":mac", "x",
		":slug", "internet", ":handle", "mara", ":id", "first_answer", ":name", "nothing.png", ":provider", "oidc", "*", "css/site.css",
	)
	return r.Replace(pattern)
}

// request sends method to path as viewer v, with a form token from a page the
// viewer may read, as a browser would.
func (f *authzForum) request(t *testing.T, v, method, path string) *apptest.Response {
	t.Helper()
	c := f.clients[v]
	if method == http.MethodGet {
		return c.Get(path)
	}
	if v == "guest" {
		c.Get("/login") // a page with the form token
	} else {
		c.Get("/settings/profile")
	}
	return c.Post(path, url.Values{})
}
