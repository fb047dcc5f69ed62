package web

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

const (
	sessionCookie  = "schwarm_session"
	languageCookie = "schwarm_lang"
	localUser      = "user"
	localLang      = "lang"
)

var (
	errForbidden = problem.New(fiber.StatusForbidden, "error.forbidden", "web: forbidden")
	errSignIn    = problem.New(fiber.StatusForbidden, "error.sign_in", "web: sign in first") // a guest sent a form that needs an account
)

// loadSession puts the signed-in user, if any, into the request.
func (s *Server) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	var u *user.User
	var err error
	if c.Method() == fiber.MethodGet && c.Cookies(wroteCookie) == "" && s.members != nil && s.members.recentAge > 0 {
		// Reading a page: a lookup of the last moments does. Writes, and
		// whoever just wrote (a new name, a new language), look it up afresh.
		u, err = s.Auth.CurrentForReading(c.UserContext(), token, s.Now(), s.members.recentAge, s.cache.writes.Load())
	} else {
		u, err = s.Auth.Current(c.UserContext(), token, s.Now())
	}
	switch {
	case errors.Is(err, auth.ErrNoSession):
		s.clearCookie(c, sessionCookie)
	case err != nil:
		return err
	default:
		c.Locals(localUser, u)
		// The server extends a session on use; so must the browser's cookie, or an
		// active member is signed out when the first one runs out.
		s.setCookie(c, sessionCookie, token, s.Config.SessionTTL.Duration)
	}
	return c.Next()
}

func currentUser(c *fiber.Ctx) *user.User {
	u, _ := c.Locals(localUser).(*user.User)
	return u
}

// pickLanguage chooses the page language: the user's setting, else the footer
// switch's cookie, else the browser's Accept-Language, else the default.
func (s *Server) pickLanguage(c *fiber.Ctx) error {
	c.Locals(localLang, s.languageOf(c))
	return c.Next()
}

func (s *Server) languageOf(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil && s.I18n.Has(u.Locale) {
		return u.Locale
	}
	if l := c.Cookies(languageCookie); s.I18n.Has(l) {
		return l
	}
	return s.I18n.Match(c.Get(fiber.HeaderAcceptLanguage))
}

func language(c *fiber.Ctx) string {
	l, _ := c.Locals(localLang).(string)
	return l
}

// requireRole lets the request through only for a signed-in user with at least
// role. Guests asking for a page are sent to sign in and brought back.
func (s *Server) requireRole(role user.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			if c.Method() == fiber.MethodGet {
				return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			return errSignIn
		}
		if !u.Role.AtLeast(role) {
			return errForbidden
		}
		return c.Next()
	}
}

// safeNext keeps a redirect on this site: a local path, never "//host", "/\host"
// or anything with control characters, which browsers strip before resolving.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(next, "/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") ||
		strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	return next
}
