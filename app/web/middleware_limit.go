package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
)

// limitWrites caps how much one member may post in a window (SCHWARM_RATE_WRITE),
// against spam and runaway scripts. Staff are not limited. It goes after
// requireRole, so there is always a user.
func (s *Server) limitWrites(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil || u.Role.IsStaff() {
		return c.Next()
	}
	r := s.Config.WriteRate
	ok, retry, err := s.Limiter.Allow(c.UserContext(), "write:user:"+strconv.FormatInt(u.ID, 10), r.N, r.Window)
	if err != nil {
		return err
	}
	if !ok {
		return &auth.RateLimitedError{RetryAfter: retry}
	}
	return c.Next()
}
