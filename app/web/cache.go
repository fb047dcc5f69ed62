package web

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// guestCache keeps rendered pages for visitors who are not signed in: most readers
// of a support community come from a search engine and see exactly the same page.
// An entry is used while it is younger than guestCacheTTL and no write has happened
// on this node since it was stored; writes through other nodes show within the TTL.
type guestCache struct {
	mu      sync.RWMutex
	entries map[string]cachedPage
	writes  atomic.Uint64 // bumped by every write request on this node
}

type cachedPage struct {
	body   []byte
	at     time.Time
	writes uint64
}

const (
	guestCacheTTL = 10 * time.Second
	guestCacheMax = 2_000 // entries (about 30 KB each); the map is emptied when full
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
	g.mu.Lock()
	if g.entries == nil || len(g.entries) >= guestCacheMax {
		g.entries = make(map[string]cachedPage)
	}
	g.entries[key] = cachedPage{body: body, at: now, writes: writes}
	g.mu.Unlock()
}

// countWrites marks every unsafe request as a write, so that guests never get a
// page from before it.
func (s *Server) countWrites(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
	default:
		defer s.cache.writes.Add(1)
	}
	return c.Next()
}

func guestKey(c *fiber.Ctx) (string, bool) {
	if currentUser(c) != nil || c.Cookies(noticeCookie) != "" {
		return "", false
	}
	return language(c) + "\x00" + c.OriginalURL(), true
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
// it. Signed-in users, one-time notices and pages that set a cookie (a form's CSRF
// cookie) always render.
func (s *Server) forGuests(c *fiber.Ctx, render func() error) error {
	key, ok := guestKey(c)
	if !ok {
		return render()
	}
	now := s.Now()
	if s.serveGuestCopy(c) {
		return nil
	}
	writes := s.cache.writes.Load()
	if err := render(); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK && c.Locals(localSetCookie) == nil {
		s.cache.put(key, append([]byte(nil), c.Response().Body()...), writes, now)
	}
	return nil
}
