package web

import (
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// guestCache keeps rendered pages for visitors who are not signed in: most readers
// of a support community come from a search engine and see exactly the same page.
// An entry is used while it is younger than guestCacheTTL and no write has happened
// on this node since the request that rendered it began; writes through other nodes
// show within the TTL.
type guestCache struct {
	mu      sync.RWMutex
	entries map[string]cachedPage
	bytes   int
	since   uint64        // the write count the entries were rendered at
	writes  atomic.Uint64 // bumped by every successful write request on this node
}

type cachedPage struct {
	body   []byte
	at     time.Time
	writes uint64
}

const (
	guestCacheTTL      = 10 * time.Second
	guestCacheMaxBytes = 32 << 20  // all entries; the cache is emptied when full
	guestCacheMaxPage  = 512 << 10 // larger pages are not kept
)

func (g *guestCache) get(key string, now time.Time) ([]byte, bool) {
	g.mu.RLock()
	e, ok := g.entries[key]
	g.mu.RUnlock()
	if !ok || now.Sub(e.at) > guestCacheTTL || e.writes != g.writes.Load() {
		return nil, false
	}
	return e.body, true
}

func (g *guestCache) put(key string, body []byte, writes uint64, now time.Time) {
	if len(body) > guestCacheMaxPage {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	// Every entry rendered before the last write is dead: keeping them until the
	// cache was full held 64 MB of pages no one could be served under a steady
	// trickle of writes.
	if cur := g.writes.Load(); writes != cur {
		return // a write came while it rendered: dead already
	} else if g.entries == nil || g.since != cur || g.bytes+len(body) > guestCacheMaxBytes {
		g.entries, g.bytes, g.since = make(map[string]cachedPage), 0, cur
	}
	if old, ok := g.entries[key]; ok {
		g.bytes -= len(old.body)
	}
	g.entries[key] = cachedPage{body: body, at: now, writes: writes}
	g.bytes += len(body)
}

const localWritesAtStart = "writes_at_start"

// countWrites notes how many writes this node had seen when the request began (a
// page rendered from older data must not outlive a newer write), and counts a
// write for every unsafe request that succeeded.
func (s *Server) countWrites(c *fiber.Ctx) error {
	c.Locals(localWritesAtStart, s.cache.writes.Load())
	err := c.Next()
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
	default:
		if err == nil && c.Response().StatusCode() < 400 {
			s.cache.writes.Add(1)
			s.noteWrite(c)
		}
	}
	return err
}

// guestKey names a guest's page by language, path and the query parameters pages
// read; other parameters cannot multiply the cache.
func guestKey(c *fiber.Ctx) (string, bool) {
	if currentUser(c) != nil || c.Cookies(noticeCookie) != "" {
		return "", false
	}
	return language(c) + "\x00" + coveredURL(c), true
}

// coveredURL is the request's path with only the query parameters a guest's
// page is kept by. A page kept for guests shows it where it shows its own
// address (the language links, the sign-in link's next): the rest of the query
// was one visitor's, and is not in the key the next visitor is served by.
func coveredURL(c *fiber.Ctx) string {
	q := url.Values{}
	for _, name := range []string{"page", "tab", "tag", "after"} {
		if v := c.Query(name); v != "" {
			q.Set(name, v)
		}
	}
	if len(q) == 0 {
		return c.Path()
	}
	return c.Path() + "?" + q.Encode()
}

const localForGuests = "for_guests"

// serveCopy answers a guest from the guest cache or a member from the member
// cache if it can, and reports whether it did.
func (s *Server) serveCopy(c *fiber.Ctx) bool {
	if key, ok := s.memberKey(c); ok {
		return s.serveMemberCopy(c, key)
	}
	return s.serveGuestCopy(c)
}

// serveGuestCopy answers from the guest cache if it can, and reports whether it did.
func (s *Server) serveGuestCopy(c *fiber.Ctx) bool {
	key, ok := guestKey(c)
	if !ok {
		return false
	}
	body, ok := s.cache.get(key, s.Now())
	if ok {
		c.Type("html", "utf-8")
		_ = c.Send(body)
	}
	return ok
}

// forGuests serves a guest the cached copy of this page, or renders it and keeps
// it. One-time notices and personal pages (any that set a cookie or show a form
// token) always render; signed-in members are served by the member cache.
func (s *Server) forGuests(c *fiber.Ctx, render func() error) error {
	if key, ok := s.memberKey(c); ok {
		return s.forMembers(c, key, render)
	}
	key, ok := guestKey(c)
	if !ok {
		return render()
	}
	if s.serveGuestCopy(c) {
		return nil
	}
	c.Locals(localForGuests, true)
	if err := render(); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK && c.Locals(localPersonal) == nil {
		writes, _ := c.Locals(localWritesAtStart).(uint64)
		s.cache.put(key, append([]byte(nil), c.Response().Body()...), writes, s.Now())
	}
	return nil
}
