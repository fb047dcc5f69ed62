package web

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/account"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/notice"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/theme"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/user"
)

// Deps is everything the web layer uses; app.New fills it in.
type Deps struct {
	Config   config.Config
	Log      *slog.Logger
	Auth     *auth.Service
	Users    *user.Service
	Boards   *board.Service
	Threads  *thread.Service
	Rep      *reputation.Service
	Deflect  *deflection.Service
	Views    *thread.Views
	Limiter  *auth.Limiter
	Uploads  *upload.Service
	Search   search.Searcher
	I18n     *i18n.Bundle
	Theme    *theme.Theme
	Static   fs.FS
	CSRFKey  []byte
	Ready    func(ctx context.Context) error // nil when the node can serve
	Now      func() time.Time
	TestHook RouteHook // adds routes in tests; nil in production

	Moderation *moderation.Service       // staff actions on others' threads and posts
	Audit      *audit.Log                // what staff did, for /mod/audit
	Settings   *moderation.SettingsStore // the moderation settings, for /admin/moderation
	Accounts   *account.Service          // a member's copy of their data
	Notify     *notify.Service           // notifications, watches, preferences
	Notices    *notice.Service           // site notices, on every page
	Mail       *mail.Service             // the mail queue, for the admin's notice

	SitemapURLs int // URLs per sitemap file; 0 (or more) means SitemapURLs, the protocol's limit
}

// RouteHook adds routes before the catch-all 404; tests use it for probes.
type RouteHook func(app *fiber.App)

// Server is the Fiber application with its dependencies.
type Server struct {
	Deps
	app    *fiber.App
	static map[string]staticFile
	cache  guestCache
	// fragments keeps rendered post rows for signed-in pages; nil renders
	// every row (the tests compare both).
	fragments *fragmentCache[fragmentKey]
	// rowFragments keeps rendered rows of thread lists; nil renders each.
	rowFragments *fragmentCache[rowKey]
	// members keeps whole pages as members of a class see them; nil renders each.
	members  *memberCache
	searches chan struct{} // places for searches running at once (limitSearches)
	csp      string
	logo     string // the link preview image, absolute
	proxies  []netip.Prefix

	mu      sync.Mutex
	ln      net.Listener
	stopped bool
}

// pages lists every page template a handler renders; start-up fails without them.
var pages = []string{"home", "board_show", "thread_show", "thread_ask", "post_edit", "post_history",
	"user_show", "auth_signup", "auth_login", "auth_forgot", "auth_reset", "auth_verify", "auth_check_mail", "auth_sso_signup", "profile_edit", "admin_users", "admin_boards", "admin_moderation", "error",
	"search", "suggest", "mod_audit", "mod_queue", "notifications", "notification_settings", "unsubscribe", "mod_notices"}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if err := d.Theme.Require(pages...); err != nil {
		return nil, err
	}
	s := &Server{Deps: d, csp: contentSecurityPolicy(d.Config.ImageHosts), fragments: newFragmentCache[fragmentKey](), rowFragments: newFragmentCache[rowKey](), members: newMemberCache(),
		searches: searchSlots(d.Config.SearchConcurrency)}
	var err error
	if s.static, err = loadStatic(d.Static); err != nil {
		return nil, err
	}
	// Link previews want a raster image; the SVG stays the icon.
	logo, err := d.Theme.Asset("img/logo.png")
	if err != nil {
		return nil, err
	}
	s.logo = d.Config.BaseURL + logo
	for _, p := range d.Config.TrustedProxies {
		prefix, err := parsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("SCHWARM_TRUSTED_PROXIES: %w", err)
		}
		s.proxies = append(s.proxies, prefix)
	}
	s.app = fiber.New(fiber.Config{
		Immutable:             true,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		BodyLimit:             max(8<<20, d.Config.UploadMaxBytes+1<<20), // an upload and its form
		AppName:               "schwarm",
	})
	s.routes()
	return s, nil
}

// Route is one route of the site: a method and a path pattern.
type Route struct{ Method, Path string }

// Routes lists every route the router holds, for the test that checks who may
// call each (a route added without an entry there fails it).
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.app.GetRoutes(true) {
		out = append(out, Route{r.Method, r.Path})
	}
	return out
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return ln.Close()
	}
	s.ln = ln
	s.mu.Unlock()
	err := s.app.Listener(ln)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil // the listener was closed by Shutdown
	}
	return err
}

// Handle serves one request in-process, without a listener: for benchmarks and
// tools that measure the handler path alone.
func (s *Server) Handle(req *http.Request) (*http.Response, error) { return s.app.Test(req, -1) }

// Shutdown stops accepting connections and waits for requests in flight to finish,
// at most until ctx ends. It also works when Serve has not started yet or is still
// starting: Fiber only stops listeners it has registered, so the listener is closed
// here as well, and a Serve called later returns at once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	ln := s.ln
	s.mu.Unlock()
	err := s.app.ShutdownWithContext(ctx)
	if ln != nil {
		ln.Close()
	}
	return err
}
