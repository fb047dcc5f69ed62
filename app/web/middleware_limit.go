package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
)

// limitWrites caps how much one member may post in a window (SCHWARM_RATE_WRITE),
// against spam and runaway scripts. Previews save nothing, so they have their own,
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
	return c.Next()
}
