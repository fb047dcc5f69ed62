package web

import (
	"bytes"
	"errors"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/thread"
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
	return &memberCache{standIn: "hole" + hex.EncodeToString(b) + "-"}
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
	covered := true
	c.Request().URI().QueryArgs().VisitAll(func(k, _ []byte) {
		switch string(k) {
		case "page", "tab", "tag", "after":
		default:
			covered = false
		}
	})
	if !covered {
		return "", false
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
	body, err := s.fillHoles(c, e)
	if err != nil {
		s.Log.Warn("fill a kept page", "err", err, "request_id", requestID(c))
		return false
	}
	s.members.hits.Add(1)
	c.Type("html", "utf-8")
	c.Response().SetBodyRaw(body)
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
	body, err := s.fillHoles(c, e)
	if err != nil {
		return err
	}
	c.Response().SetBodyRaw(body)
	return nil
}

var errStandIn = errors.New("web: a kept page's stand-in was cut")

// fillHoles writes e for the request's viewer.
func (s *Server) fillHoles(c *fiber.Ctx, e *memberPage) ([]byte, error) {
	var fills [len(holeNames)]string
	var have [len(holeNames)]bool
	p := s.newPage(c, "")
	for _, h := range e.holes {
		if have[h] {
			continue
		}
		var b strings.Builder
		var err error
		switch h {
		case holeCSRF:
			b.WriteString(p.CSRF())
		case holeAccount:
			err = s.Theme.Fragment(&b, e.page, "header-account", p)
		case holeWatch:
			err = s.Theme.Fragment(&b, e.page, "watch-form", s.watchButton(c, p, e.watch))
		}
		if err != nil {
			return nil, err
		}
		fills[h], have[h] = b.String(), true
	}
	size := 0
	for _, seg := range e.segments {
		size += len(seg)
	}
	for _, h := range e.holes {
		size += len(fills[h])
	}
	out := bytes.NewBuffer(make([]byte, 0, size))
	for i, seg := range e.segments {
		out.WriteString(seg)
		if i < len(e.holes) {
			out.WriteString(fills[e.holes[i]])
		}
	}
	return out.Bytes(), nil
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
