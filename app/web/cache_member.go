package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// memberCache keeps the front page, board lists and thread pages as signed-in
// members see them, so that a member's page costs about what a guest's does.
// Members who stand in the same relation to a page see the same page but for a
// few holes: the header's account links (their name, unread count, the
// moderators' queue count), their CSRF token, and the watch button. A kept page
// is split at those holes, and each request fills them in for its viewer.
//
// What a page shows beyond the holes depends on the viewer only through their
// class (role, the privileges their reputation gives, language) and, on a
// thread page, whether they wrote in the thread or gave kudos to a post on the
// page: such involved members get the page rendered for them, as do restricted
// ones. An entry lives as the guest cache's do — until the next write on this
// node, at most guestCacheTTL — and a member who wrote anything carries a cookie
// that bypasses the cache for as long, so their own write shows at once on
// every node.
type memberCache struct {
	standIn string // random per process: no post can contain it
	fills   *fragmentCache[fillKey]
	counts  recentCounts
	// recentAge is how long a node uses what it read of a member for pages
	// that only read — their session, unread count, watches: how late a
	// sign-out, a suspension or a notification from another node shows there,
	// as late as others' posts do on kept pages.
	recentAge time.Duration

	mu      sync.RWMutex
	entries map[string]*memberPage
	bytes   int
	since   uint64

	hits, misses atomic.Int64
}

// memberPage is a kept page: segments with a hole between each two.
type memberPage struct {
	page     string // the theme page, whose partials fill the holes
	segments []string
	holes    []hole
	watch    watchHole
	involved map[int64]bool // members who get the page rendered for them
	at       time.Time
	writes   uint64
}

type hole uint8

const (
	holeCSRF hole = iota
	holeAccount
	holeWatch
)

var holeNames = [...]string{holeCSRF: "csrf", holeAccount: "account", holeWatch: "watch"}

// watchHole is what a page's watch button follows; target "" for none.
type watchHole struct {
	target, key string
	id          int64
}

const (
	localForMembers = "for_members" // the member cache's key while a page renders for it
	localInvolved   = "involved"    // func() ([]int64, error): the members a thread page is personal to
	localWatch      = "watch"       // the watchHole of the page being rendered
	wroteCookie     = "schwarm_wrote"
)

func newMemberCache() *memberCache {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return &memberCache{standIn: "hole" + hex.EncodeToString(b) + "-", fills: newFragmentCache[fillKey](),
		recentAge: guestCacheTTL, counts: recentCounts{age: guestCacheTTL}}
}

func (m *memberCache) get(key string, now time.Time, writes uint64) *memberPage {
	m.mu.RLock()
	e := m.entries[key]
	m.mu.RUnlock()
	if e == nil || now.Sub(e.at) > guestCacheTTL || e.writes != writes {
		return nil
	}
	return e
}

func (m *memberCache) put(key string, e *memberPage, cur uint64) {
	size := len(key) + 64*len(e.holes)
	for _, s := range e.segments {
		size += len(s)
	}
	if size > guestCacheMaxPage {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e.writes != cur {
		return // a write came while it rendered
	}
	if m.entries == nil || m.since != cur || m.bytes+size > guestCacheMaxBytes {
		m.entries, m.bytes, m.since = make(map[string]*memberPage), 0, cur
	}
	m.entries[key] = e
	m.bytes += size
}

// split cuts a page rendered with stand-ins at its holes.
func (m *memberCache) split(body string) (segments []string, holes []hole, ok bool) {
	for {
		i := strings.Index(body, m.standIn)
		if i < 0 {
			return append(segments, body), holes, true
		}
		segments = append(segments, body[:i])
		rest := body[i+len(m.standIn):]
		end := strings.IndexByte(rest, '.')
		if end < 0 {
			return nil, nil, false
		}
		h, found := hole(0), false
		for k, name := range holeNames {
			if rest[:end] == name {
				h, found = hole(k), true
			}
		}
		if !found {
			return nil, nil, false
		}
		holes = append(holes, h)
		body = rest[end+1:]
	}
}

func (m *memberCache) hole(h hole) string { return m.standIn + holeNames[h] + "." }

// memberKey names a member's page in the member cache; ok is false when the
// page must be rendered for them.
func (s *Server) memberKey(c *fiber.Ctx) (string, bool) {
	u := currentUser(c)
	if u == nil || s.members == nil || c.Cookies(noticeCookie) != "" || c.Cookies(wroteCookie) != "" {
		return "", false
	}
	now := s.Now()
	if u.Suspended(now) || u.Silenced(now) { // every page tells them so
		return "", false
	}
	// Any other query parameter changes the page (ask, upload) or is one
	// visitor's: those pages are rendered.
	for k := range c.Request().URI().QueryArgs().All() {
		switch string(k) {
		case "page", "tab", "tag", "after":
		default:
			return "", false
		}
	}
	class := string(u.Role)
	priv := s.Threads.Privileges()
	if thread.IsNewcomer(u, priv) {
		class += "/newcomer"
	}
	if priv.EditOthersReputation > 0 && u.Reputation >= priv.EditOthersReputation {
		class += "/editor"
	}
	return class + "\x00" + language(c) + "\x00" + coveredURL(c), true
}

// serveMemberCopy answers a member from the member cache if it can, and
// reports whether it did.
func (s *Server) serveMemberCopy(c *fiber.Ctx, key string) bool {
	e := s.members.get(key, s.Now(), s.cache.writes.Load())
	if e == nil || e.involved[currentUser(c).ID] {
		return false
	}
	if err := s.fillHoles(c, e); err != nil {
		s.Log.Warn("fill a kept page", "err", err, "request_id", requestID(c))
		return false
	}
	s.members.hits.Add(1)
	c.Type("html", "utf-8")
	return true
}

// forMembers serves a member the kept copy of this page, or renders it with
// stand-ins for the holes, keeps it if it is not personal to them, and fills
// the holes.
func (s *Server) forMembers(c *fiber.Ctx, key string, render func() error) error {
	if s.serveMemberCopy(c, key) {
		return nil
	}
	s.members.misses.Add(1)
	c.Locals(localForMembers, key)
	err := render()
	c.Locals(localForMembers, nil) // an error page is rendered as it is
	if err != nil {
		return err
	}
	segments, holes, ok := s.members.split(string(c.Response().Body()))
	if !ok {
		return errStandIn
	}
	e := &memberPage{segments: segments, holes: holes, at: s.Now()}
	e.writes, _ = c.Locals(localWritesAtStart).(uint64)
	e.page, _ = c.Locals(localThemePage).(string)
	e.watch, _ = c.Locals(localWatch).(watchHole)
	keep := c.Response().StatusCode() == fiber.StatusOK && e.page != "" &&
		strings.HasPrefix(string(c.Response().Header.ContentType()), fiber.MIMETextHTML)
	if involved, ok := c.Locals(localInvolved).(func() ([]int64, error)); ok && keep {
		ids, err := involved()
		if err != nil {
			return err
		}
		e.involved = make(map[int64]bool, len(ids))
		for _, id := range ids {
			e.involved[id] = true
		}
		keep = !e.involved[currentUser(c).ID]
	}
	if keep {
		s.members.put(key, e, s.cache.writes.Load())
	}
	return s.fillHoles(c, e)
}

var errStandIn = errors.New("web: a kept page's stand-in was cut")

// fillHoles writes e into the response for the request's viewer.
func (s *Server) fillHoles(c *fiber.Ctx, e *memberPage) error {
	var fills [len(holeNames)]string
	var have [len(holeNames)]bool
	p := s.newPage(c, "")
	token := p.CSRF()
	for _, h := range e.holes {
		if have[h] {
			continue
		}
		var err error
		switch h {
		case holeCSRF:
			fills[h] = token
		case holeAccount:
			k := fillKey{hole: h, page: e.page, lang: p.Lang, handle: p.User.Handle, name: p.User.DisplayName, role: p.User.Role}
			k.unread = int(s.members.counts.get(countKey{what: "unread", user: p.User.ID}, p.now, func() int64 { return int64(p.Unread()) }))
			if p.waiting != nil {
				k.waiting = s.members.counts.get(countKey{what: "waiting"}, p.now, p.Waiting)
			}
			p.unread = func() int { return k.unread }
			p.waiting = func() int64 { return k.waiting }
			fills[h], err = s.fill(k, p, token, func(w io.Writer, q Page) error { return s.Theme.Fragment(w, e.page, "header-account", q) })
		case holeWatch:
			b := s.recentWatchButton(c, p, e.watch)
			k := fillKey{hole: h, page: e.page, lang: p.Lang, target: b.Target, key: b.Key, on: b.On}
			fills[h], err = s.fill(k, p, token, func(w io.Writer, q Page) error {
				b.Page = q
				return s.Theme.Fragment(w, e.page, "watch-form", b)
			})
		}
		if err != nil {
			return err
		}
		have[h] = true
	}
	resp := c.Response()
	resp.ResetBody()
	for i, seg := range e.segments {
		resp.AppendBodyString(seg)
		if i < len(e.holes) {
			resp.AppendBodyString(fills[e.holes[i]])
		}
	}
	return nil
}

// fillKey is what a hole's filling shows; the CSRF token in it is put in per
// request.
type fillKey struct {
	hole         hole
	page, lang   string
	handle, name string
	role         user.Role
	unread       int
	waiting      int64
	target, key  string
	on           bool
}

// fill renders a hole's filling for p with render, or takes it from the kept
// fillings: a member's header is the same on every page they read until a
// count in it changes.
func (s *Server) fill(k fillKey, p Page, token string, render func(io.Writer, Page) error) (string, error) {
	if v, ok := s.members.fills.get(k); ok {
		return string(v.html(token)), nil
	}
	standIn := s.members.fills.token
	p.csrf = func() string { return standIn }
	var b strings.Builder
	if err := render(&b, p); err != nil {
		return "", err
	}
	v := fragment(strings.Split(b.String(), standIn))
	s.members.fills.put(k, v, len(k.page)+len(k.lang)+len(k.handle)+len(k.name)+len(k.target)+len(k.key))
	return string(v.html(token)), nil
}

// watchButton is what the "watch-form" partial shows.
type watchButton struct {
	Page
	Target, Key, Label string
	On                 bool
}

func newWatchButton(p Page, w watchHole, on bool) watchButton {
	b := watchButton{Page: p, Target: w.target, Key: w.key, On: on}
	switch {
	case on:
		b.Label = p.T("notify.unwatch")
	case w.target == notify.TargetThread:
		b.Label = p.T("notify.watch")
	default:
		b.Label = p.T("notify.watch_" + w.target)
	}
	return b
}

// watchButton reads whether the viewer watches w.
func (s *Server) watchButton(c *fiber.Ctx, p Page, w watchHole) watchButton {
	on := false
	if w.id != 0 && p.User != nil {
		var err error
		if on, err = s.Notify.Watching(c.UserContext(), p.User.ID, w.target, w.id); err != nil {
			s.Log.Warn("read a watch", "err", err, "request_id", requestID(c))
		}
	}
	return newWatchButton(p, w, on)
}

// recentWatchButton is watchButton for a kept page, with what was read of the
// watch of the last moment (recentCounts).
func (s *Server) recentWatchButton(c *fiber.Ctx, p Page, w watchHole) watchButton {
	on := s.members.counts.get(countKey{what: "watch:" + w.target, user: p.User.ID, id: w.id}, p.now, func() int64 {
		if s.watchButton(c, p, w).On {
			return 1
		}
		return 0
	})
	return newWatchButton(p, w, on == 1)
}

// recentCounts keeps what the holes of kept pages read — a member's unread
// notifications, the review queue's length, a watch — for a moment (age), so
// that a member reading page after page costs no query for them. Only kept
// pages use them, and a member who just wrote gets none (wroteCookie): their
// own changes show at once, others' (a new notification) within the age.
type recentCounts struct {
	age time.Duration // 0 reads every time
	mu  sync.Mutex
	m   map[countKey]recentCount
}

type countKey struct {
	what     string
	user, id int64
}

type recentCount struct {
	n  int64
	at time.Time
}

const maxRecentCount = 100_000

func (r *recentCounts) get(k countKey, now time.Time, read func() int64) int64 {
	r.mu.Lock()
	v, ok := r.m[k]
	r.mu.Unlock()
	if ok && now.Sub(v.at) < r.age && now.Sub(v.at) >= 0 {
		return v.n
	}
	n := read()
	r.mu.Lock()
	if r.m == nil || len(r.m) >= maxRecentCount {
		r.m = make(map[countKey]recentCount)
	}
	r.m[k] = recentCount{n: n, at: now}
	r.mu.Unlock()
	return n
}

// standIn is the text a page being kept shows for hole h; "" when the page is
// rendered for its viewer alone.
func (p Page) standIn(h hole) string {
	if p.members == nil {
		return ""
	}
	return p.members.hole(h)
}

// Hole is where a kept page leaves out the part named name ("account",
// "watch") for each viewer to fill; empty when the page is rendered for one.
func (p Page) Hole(name string) template.HTML {
	for h, n := range holeNames {
		if n == name {
			return template.HTML(p.standIn(hole(h)))
		}
	}
	return ""
}

// noteWrite gives a member who wrote the cookie that keeps kept pages from them
// until their write is in every node's pages.
func (s *Server) noteWrite(c *fiber.Ctx) {
	if currentUser(c) != nil {
		s.setCookie(c, wroteCookie, "1", guestCacheTTL+5*time.Second)
	}
}
