package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/markup"
)

// maxFormBody bounds the body of every form but an upload: the longest post
// (markup.MaxSource), percent-encoded at up to three bytes a byte, with its
// title, tags and reason. The server's own limit is an upload's size.
const maxFormBody = 4 * markup.MaxSource

// limitForms refuses a form larger than any the site's pages send, with 413,
// before a handler reads it, checks it, or shows it again.
func (s *Server) limitForms(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodPost && c.Path() != "/uploads" && len(c.Request().Body()) > maxFormBody {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// limitWrites caps how much one member may post in a window (SCHWARM_RATE_WRITE),
// and all members from one client address together (SCHWARM_RATE_WRITE_ADDRESS),
// against spam, runaway scripts and a spammer's many accounts. Previews save
// nothing, so they have their own, ten times larger budget (the editor asks for
// one as the member types) and never use up the posting one. Staff do not run
// out of posts, but their previews are limited like anyone's: a preview is
// rendering work that anyone signed in can ask for, staff's stolen session too.
// It goes after requireRole, so there is always a user.
func (s *Server) limitWrites(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return c.Next()
	}
	r, kind := s.Config.WriteRate, "write"
	if c.Path() == "/preview" || c.FormValue("action") == "preview" {
		r.N, kind = r.N*10, "preview"
	} else if u.Role.IsStaff() {
		return c.Next()
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
