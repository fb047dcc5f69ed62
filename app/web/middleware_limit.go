package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
)

// limitWrites caps how much one member may post in a window (SCHWARM_RATE_WRITE),
// and all members from one client address together (SCHWARM_RATE_WRITE_ADDRESS),
// against spam, runaway scripts and a spammer's many accounts. Previews save nothing, so they have their own,
// ten times larger budget and never use up the posting one. Staff are not limited.
// It goes after requireRole, so there is always a user.
func (s *Server) limitWrites(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil || u.Role.IsStaff() {
		return c.Next()
	}
	r, kind := s.Config.WriteRate, "write"
	if c.Path() == "/preview" || c.FormValue("action") == "preview" {
		r.N, kind = r.N*10, "preview"
	}
	ok, retry, err := s.Limiter.Allow(c.UserContext(), kind+":user:"+strconv.FormatInt(u.ID, 10), r.N, r.Window)
	if err != nil {
		return err
	}
	if !ok {
		return &auth.RateLimitedError{RetryAfter: retry}
	}
	a := s.Config.WriteAddressRate
	if kind == "preview" {
		a.N *= 10
	}
	if ok, retry, err = s.Limiter.Allow(c.UserContext(), kind+":addr:"+s.clientIP(c), a.N, a.Window); err != nil {
		return err
	}
	if !ok {
		return &auth.RateLimitedError{RetryAfter: retry}
	}
	return c.Next()
}
