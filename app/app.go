// Package app is the composition root: New wires every service from a Config, and
// nothing else in the code base constructs services. The commands in cmd/schwarm
// call into it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/schwarm/schwarm/app/account"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/auth/sso"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/markup"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/notice"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/reputation"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/theme"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/web"
	"github.com/schwarm/schwarm/locales"
	"github.com/schwarm/schwarm/static"
	"github.com/schwarm/schwarm/themes"
)

// App is one running node: its database and services.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *database.DB
	I18n     *i18n.Bundle
	Users    *user.Service
	Sessions *auth.Sessions
	Limiter  *auth.Limiter
	Auth     *auth.Service
	Boards   *board.Service
	Threads  *thread.Service
	Rep      *reputation.Service
	Deflect  *deflection.Service
	Views    *thread.Views
	Uploads  *upload.Service
	Accounts *account.Service
	Search   *search.Index // nil until OpenSearch
	Indexer  *search.Indexer
	Searcher *search.Service // nil until OpenSearch; finds with Search
	NodeID   string          // this process among the nodes serving the database
	Now      func() time.Time

	Moderation *moderation.Service
	Audit      *audit.Log
	Settings   *moderation.SettingsStore // the moderation settings admins change at /admin/moderation
	Notify     *notify.Service           // notifications, watches, and the consumer that writes them
	Notices    *notice.Service           // site notices of known problems, on every page

	Mail      *mail.Service  // the mail queue; Enabled only with SCHWARM_SMTP_URL
	MailViews *mail.Renderer // the theme's mails in the recipient's language
	Theme     *theme.Files   // SCHWARM_THEME laid over the default theme

	sitemapURLs int
}

// mailRetention is how long a sent mail stays in the queue table.
const mailRetention = 30 * 24 * time.Hour

// settingsEvery is how often a serving node asks whether another node saved
// the moderation settings: a read of one row's version.
const settingsEvery = 2 * time.Second

// noticesEvery is how often a node reads the live site notices again: every
// page shows them, and one published on another node shows here that much later.
const noticesEvery = 5 * time.Second

// Options tune New for tests and tools.
type Options struct {
	// PasswordParams overrides the argon2id cost (tests use a cheap one).
	PasswordParams *user.PasswordParams
	// MailTuning changes how the mail sender polls and retries (tests make
	// it quick); the server and sender come from the Config.
	MailTuning func(*mail.Settings)
	// SitemapURLs lowers the URLs per sitemap file from the protocol's
	// 50,000, so that a test's few threads fill several files.
	SitemapURLs int
}

// New opens the database and wires the services. It does not migrate; call Migrate
// first, or it fails on an old schema.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	db, err := database.Open(ctx, database.Options{
		URL:      cfg.DatabaseURL,
		File:     filepath.Join(cfg.DataDir, "schwarm.db"),
		MaxConns: cfg.DBMaxConns,
		Log:      log,
	})
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.Load(locales.FS, cfg.DefaultLocale)
	if err != nil {
		db.Close()
		return nil, err
	}
	now := func() time.Time { return time.Now().UTC() }
	params := user.DefaultPasswordParams
	if opts.PasswordParams != nil {
		params = *opts.PasswordParams
	}
	a := &App{Config: cfg, Log: log, DB: db, I18n: bundle, Now: now, NodeID: auth.NewToken()[:12], sitemapURLs: opts.SitemapURLs}
	a.Sessions = auth.NewSessions(db, cfg.SessionTTL.Duration, now)
	a.Limiter = auth.NewLimiter(db, now)
	a.Users = user.NewService(db, params, bundle.Languages(), a.Sessions, now)
	a.Auth = auth.NewService(a.Users, a.Sessions, a.Limiter,
		auth.Limits{Login: cfg.LoginRate, LoginAddress: cfg.LoginAddressRate, Signup: cfg.SignupRate}, sso.New(cfg, nil, now), cfg.PasswordSignIn())
	a.Boards = board.NewService(db, now)
	a.Threads = thread.NewService(db, markup.New(markup.WithImageHosts(cfg.ImageHosts...)), cfg.DeleteWindow.Duration, now)
	if a.Rep, err = reputation.NewService(db, cfg.Points, cfg.Ranks, now); err != nil {
		db.Close()
		return nil, err
	}
	// The environment's settings hold until Migrate (or WebServer) reads
	// those admins saved: the table may not exist before migrations ran.
	defaults := moderation.Defaults(cfg)
	a.Threads.SetLedger(a.Rep, defaults.Privileges)
	a.Threads.SetSpamRules(defaults.Spam)
	a.Audit = audit.New(db, now)
	a.Moderation = moderation.NewService(db, a.Threads, a.Users, a.Audit, now)
	a.Moderation.SetFlagRules(defaults.Flags)
	a.Settings = moderation.NewSettingsStore(db, a.Audit, defaults, now, a.applySettings)
	a.Deflect = deflection.NewService(db, a.Threads, now)
	a.Uploads = upload.NewService(db, filepath.Join(cfg.DataDir, "uploads"), int64(cfg.UploadMaxBytes), now)
	a.Views = thread.NewViews(a.Threads)
	a.Accounts = account.NewService(db, a.Threads, a.Audit, now)
	if a.Theme, err = theme.Open(themes.FS, static.FS, cfg.Theme); err != nil {
		db.Close()
		return nil, err
	}
	mails, err := theme.LoadMails(a.Theme)
	if err != nil {
		db.Close()
		return nil, err
	}
	ms := mail.SettingsFrom(cfg)
	if opts.MailTuning != nil {
		opts.MailTuning(&ms)
	}
	a.Mail = mail.NewService(db, ms, log, now)
	a.MailViews = mail.NewRenderer(mails, bundle, cfg.BaseURL)
	a.Auth.SetMail(auth.AccountMail{Queue: a.Mail, Render: a.MailViews, BaseURL: cfg.BaseURL, Rate: cfg.AccountMailRate})
	a.Notices = notice.NewService(db, a.Threads, a.Audit, moderation.ParseThreadRef, noticesEvery, now)
	a.Notify = notify.NewService(db, a.Threads, notify.Options{
		BaseURL:       cfg.BaseURL,
		Secret:        func(ctx context.Context) (string, error) { return auth.Secret(ctx, db, "notify") },
		DefaultLocale: cfg.DefaultLocale,
		Mailer:        notifyMail{a.Mail},
		Compose:       a.MailViews.Render,
	}, now)
	return a, nil
}

// notifyMail hands app/notify's mails to the mail queue, in the transaction
// ctx carries: a notification and its mail commit together.
type notifyMail struct{ q *mail.Service }

func (m notifyMail) Enabled() bool { return m.q.Enabled() }

func (m notifyMail) Queue(ctx context.Context, n notify.Mail) error {
	return m.q.Enqueue(ctx, nil, mail.Message{Key: n.Key, To: n.To, Subject: n.Subject, Text: n.Text, HTML: n.HTML, Unsubscribe: n.Unsubscribe})
}

// applySettings puts moderation settings in force on this node, as they are
// loaded at start and whenever an admin saves or resets them (here at once,
// elsewhere within settingsEvery).
func (a *App) applySettings(s moderation.Settings) {
	a.Threads.SetPrivileges(s.Privileges)
	a.Threads.SetSpamRules(s.Spam)
	a.Moderation.SetFlagRules(s.Flags)
}

// stream returns the stream of domain events with every consumer registered:
// the one place where a feature that reacts to changes is plugged in. The search
// index runs on every node (once OpenSearch has opened it), reads every
// indexEvery and keeps its position in the index; the consumers kept in the
// database (notifications, webhooks and KPI rollups, as they come) are read on
// one node at a time.
//
// The reputation ledger is no consumer: it is written in the transaction of the
// change (thread.Ledger), because reputation decides what the member may do next
// (review of a newcomer's posts, daily limits, editing others' posts) and the
// page after the action shows it; an event consumer would lag behind both, and a
// point could be counted before the change it rewards had committed.
func (a *App) stream(indexEvery time.Duration) *event.Stream {
	s := event.NewStream(a.DB, a.Log, a.NodeID, event.Options{Interval: indexEvery})
	if a.Indexer != nil {
		s.AddNode(a.Indexer, indexEvery)
	}
	s.Add(a.Notify)
	return s
}

// RunEvents delivers the domain events to every consumer until ctx ends (the
// search index every indexEvery), and returns when they have stopped.
func (a *App) RunEvents(ctx context.Context, indexEvery time.Duration) {
	a.stream(indexEvery).Run(ctx)
}

// Close releases the search index and the database.
func (a *App) Close() error {
	if a.Search != nil {
		a.Search.Close()
	}
	return a.DB.Close()
}

// OpenSearch opens this node's search index under the data directory, rebuilds it
// from the database when it is new or its mapping changed, and catches up with the
// outbox. Only serving (and eval) need it: it holds a lock on the index files.
func (a *App) OpenSearch(ctx context.Context) error {
	if a.Search != nil {
		return nil
	}
	ix, err := search.Open(filepath.Join(a.Config.DataDir, "index"))
	if err != nil && !errors.Is(err, search.ErrRebuild) {
		return err
	}
	a.Search, a.Indexer = ix, search.NewIndexer(a.DB, a.Threads, ix, a.Log)
	a.Searcher = search.NewService(ix, a.Threads)
	if errors.Is(err, search.ErrRebuild) {
		start := time.Now()
		n, err := a.Indexer.Rebuild(ctx)
		if err != nil {
			return err
		}
		if err := ix.Publish(); err != nil {
			return err
		}
		a.Log.Info("search index built", "threads", n, "duration", time.Since(start).Round(time.Millisecond))
	}
	err = a.Indexer.CatchUp(ctx)
	if errors.Is(err, search.ErrLost) {
		// Behind, not broken: it serves while the indexer rebuilds it.
		a.Log.Warn("search index lost track of the outbox; it serves while the indexer rebuilds it", "why", err)
		return nil
	}
	return err
}

// Reindex builds a new generation of the search index from the database beside
// the one in use and publishes it; a node serving from this data directory keeps
// serving and switches to it within a tick of its indexer (see Indexer.Follow).
// It returns the number of threads indexed.
func (a *App) Reindex(ctx context.Context) (int, error) {
	return search.BuildGeneration(ctx, a.DB, a.Threads, filepath.Join(a.Config.DataDir, "index"), a.Log)
}

// Migrate applies pending migrations and logs what it applied, then puts the
// moderation settings admins saved in force: New cannot, as their table may
// not exist before the migrations ran, and every command migrates first.
func (a *App) Migrate(ctx context.Context) error {
	applied, err := a.DB.Migrate(ctx)
	for _, m := range applied {
		a.Log.Info("migration applied", "file", m)
	}
	if err != nil {
		return err
	}
	return a.Settings.Refresh(ctx)
}

// Ready reports whether the node can serve requests.
func (a *App) Ready(ctx context.Context) error {
	if err := a.DB.Ping(ctx); err != nil {
		return err
	}
	return a.DB.CheckSchema(ctx)
}

// WebServer builds the HTTP server for this node. hook may add routes (tests);
// production passes nil.
func (a *App) WebServer(ctx context.Context, hook web.RouteHook) (*web.Server, error) {
	if err := a.DB.CheckSchema(ctx); err != nil {
		return nil, err
	}
	if err := a.Settings.Refresh(ctx); err != nil { // a no-op after Migrate
		return nil, err
	}
	if err := a.OpenSearch(ctx); err != nil {
		return nil, err
	}
	th, err := theme.Load(a.Theme)
	if err != nil {
		return nil, err
	}
	key, err := auth.Secret(ctx, a.DB, "csrf")
	if err != nil {
		return nil, err
	}
	return web.New(web.Deps{
		Config:   a.Config,
		Log:      a.Log,
		Auth:     a.Auth,
		Users:    a.Users,
		Boards:   a.Boards,
		Threads:  a.Threads,
		Rep:      a.Rep,
		Deflect:  a.Deflect,
		Views:    a.Views,
		Limiter:  a.Limiter,
		Uploads:  a.Uploads,
		Search:   a.Searcher,
		I18n:     a.I18n,
		Theme:    th,
		Static:   a.Theme.Static,
		CSRFKey:  []byte(key),
		Ready:    a.Ready,
		Now:      a.Now,
		TestHook: hook,

		Moderation: a.Moderation,
		Audit:      a.Audit,
		Settings:   a.Settings,
		Accounts:   a.Accounts,
		Notify:     a.Notify,
		Notices:    a.Notices,
		Mail:       a.Mail,

		SitemapURLs: a.sitemapURLs,
	})
}

// Serve runs the HTTP server until ctx ends, then finishes the requests in flight
// (up to the shutdown timeout) and returns. hook is for tests; production passes nil.
func (a *App) Serve(ctx context.Context, ln net.Listener, hook web.RouteHook) error {
	srv, err := a.WebServer(ctx, hook)
	if err != nil {
		return err
	}
	// The background loops stop when Serve returns, also when the server
	// failed rather than ctx ended, and Serve returns only once they have.
	ctx, stop := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer background.Wait()
	defer stop()
	background.Go(a.heartbeat(ctx))
	background.Go(func() { a.housekeeping(ctx) })
	background.Go(func() {
		a.Views.Run(ctx, 10*time.Second, func(err error) { a.Log.Warn("flush view counts", "err", err) })
	})
	background.Go(func() {
		a.Limiter.Run(ctx, time.Second, func(err error) { a.Log.Warn("flush rate limits", "err", err) })
	})
	background.Go(func() { a.RunEvents(ctx, 250*time.Millisecond) })
	if a.Mail.Enabled() {
		a.Log.Info("mail on", "from", a.Config.MailFrom)
		background.Go(func() { a.Mail.Run(ctx) })
	} else {
		a.Log.Warn("mail is off (SCHWARM_SMTP_URL is not set): no sign-up verification, password reset or notification mails")
	}
	// Another node's save of the moderation settings is in force here within
	// settingsEvery: Follow polls the row's version (see its comment for why
	// no event consumer).
	background.Go(func() {
		a.Settings.Follow(ctx, settingsEvery, func(err error) { a.Log.Warn("reload the moderation settings", "err", err) })
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("serving", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL, "database", a.DB.Dialect)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout.Duration)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout.Duration)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return <-errc
}

// heartbeat tells the other nodes, every outbox.NodeTimeout/4 until ctx ends,
// that this node is alive and how far its search index has read, so that
// pruning keeps what the index has yet to read; it leaves at the end. The first
// beat is before it returns, so that the first prune already counts this node.
func (a *App) heartbeat(ctx context.Context) (run func()) {
	host, _ := os.Hostname()
	node := outbox.Node{ID: a.NodeID, Host: host, StartedAt: a.Now()}
	beat := func() {
		pos, err := a.Search.Position()
		if err == nil {
			node.Index = pos
			err = outbox.Heartbeat(ctx, a.DB, node)
		}
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("node heartbeat", "err", err)
		}
	}
	beat()
	return func() {
		t := time.NewTicker(outbox.NodeTimeout / 4)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := outbox.Leave(lctx, a.DB, a.NodeID); err != nil {
					a.Log.Warn("node leaves", "err", err)
				}
				return
			case <-t.C:
				beat()
			}
		}
	}
}

// housekeeping runs housekeep now and then every hour until ctx ends.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		a.housekeep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// housekeep purges expired sessions, old rate-limit windows, expired mailed
// links, sent mail and outbox records past their retention, and closes asks
// abandoned after a suggestion was opened.
func (a *App) housekeep(ctx context.Context) {
	if n, err := a.Sessions.Purge(ctx); err != nil && ctx.Err() == nil {
		a.Log.Warn("purge sessions", "err", err)
	} else if n > 0 {
		a.Log.Info("purged expired sessions", "count", n)
	}
	if err := a.Limiter.Purge(ctx, max(a.Config.LoginRate.Window, a.Config.LoginAddressRate.Window, a.Config.SignupRate.Window, a.Config.WriteRate.Window, a.Config.WriteAddressRate.Window, a.Config.AccountMailRate.Window)); err != nil && ctx.Err() == nil {
		a.Log.Warn("purge rate limits", "err", err)
	}
	if n, err := a.Notify.Digest(ctx); err != nil && ctx.Err() == nil {
		a.Log.Warn("mail the daily digests", "err", err)
	} else if n > 0 {
		a.Log.Info("mailed daily digests", "count", n)
	}
	if _, err := a.Auth.PurgeTokens(ctx); err != nil && ctx.Err() == nil {
		a.Log.Warn("purge mailed links", "err", err)
	}
	// Sent mail is kept a while to answer "did it go out?", not for ever:
	// it holds addresses.
	if _, err := a.Mail.Prune(ctx, a.Now().Add(-mailRetention)); err != nil && ctx.Err() == nil {
		a.Log.Warn("prune sent mail", "err", err)
	}
	if _, err := a.Deflect.AbandonStale(ctx); err != nil && ctx.Err() == nil {
		a.Log.Warn("close abandoned asks", "err", err)
	}
	if n, err := outbox.Prune(ctx, a.DB, time.Now().Add(-a.Config.OutboxRetention.Duration)); err != nil && ctx.Err() == nil {
		a.Log.Warn("prune the outbox", "err", err)
	} else if n > 0 {
		a.Log.Info("pruned the outbox", "records", n)
	}
}
