package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/problem"
)

// contentSecurityPolicy is the pages' policy; images may also come from the hosts
// posts are allowed to embed (config.ImageHosts, checked to be plain host[:port]).
func contentSecurityPolicy(imageHosts []string) string {
	img := "'self' data:"
	for _, h := range imageHosts {
		img += " https://" + h
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img + "; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// securityHeaders sets the headers every response carries. Pages are private by
// default; static files override Cache-Control.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", s.csp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if s.Config.SecureCookies() {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return c.Next()
}

const (
	csrfCookie = "schwarm_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

var errCSRF = problem.New(fiber.StatusForbidden, "error.csrf", "web: cross-site request refused")

// checkCSRF guards every unsafe request twice: the browser must not call it
// cross-site (Sec-Fetch-Site, Origin), and the form must carry the token derived
// from this browser's CSRF cookie with the server key. The token cannot be forged
// without the key, even by someone who can plant a cookie.
//
// Reading pages needs no token, so the cookie is only set when a page renders a
// form (see csrfFor): pages without forms stay free of per-visitor content.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/unsubscribe/") {
		// A mail client's one-click unsubscribe (RFC 8058) posts from
		// elsewhere without cookies; the link's signature is its check, and
		// all it can do is stop mail.
		return c.Next()
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" || !s.sameOrigin(c) {
		return errCSRF
	}
	sent := c.FormValue(csrfField)
	if sent == "" {
		sent = c.Get(csrfHeader)
	}
	cookie := c.Cookies(csrfCookie)
	if cookie == "" || !hmac.Equal([]byte(sent), []byte(s.csrfToken(cookie, liveSession(c)))) {
		return errCSRF
	}
	return c.Next()
}

// csrfFor returns the form token of this browser, giving it a CSRF cookie first if
// it has none.
func (s *Server) csrfFor(c *fiber.Ctx) string {
	c.Locals(localPersonal, true)
	if t, ok := c.Locals(csrfField).(string); ok {
		return t
	}
	cookie := c.Cookies(csrfCookie)
	if cookie == "" {
		cookie = auth.NewToken()
		s.setCookie(c, csrfCookie, cookie, 365*24*time.Hour)
	}
	t := s.csrfToken(cookie, liveSession(c))
	c.Locals(csrfField, t)
	return t
}

// liveSession is the session token of a signed-in request, "" for guests (also when
// the browser still sends an expired session cookie).
func liveSession(c *fiber.Ctx) string {
	if currentUser(c) == nil {
		return ""
	}
	return c.Cookies(sessionCookie)
}

// csrfToken binds the token to the browser's CSRF cookie and, once signed in, to its
// session: a token seen before sign-in is worthless after it.
func (s *Server) csrfToken(cookie, session string) string {
	m := hmac.New(sha256.New, s.CSRFKey)
	m.Write([]byte("csrf:" + cookie + "|" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sameOrigin accepts a missing Origin (old browsers, curl) and an Origin equal to the
// configured public URL or to the host the request was sent to.
func (s *Server) sameOrigin(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true
	}
	if origin == "null" {
		return false
	}
	if strings.EqualFold(origin, s.Config.BaseURL) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, c.Hostname())
}

// localPersonal marks a response that sets a cookie or shows a form token: it is
// personal and must not be served from the guest page cache.
const localPersonal = "personal"

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	c.Locals(localPersonal, true)
	c.Cookie(&fiber.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge.Seconds()),
		HTTPOnly: true,
		Secure:   s.Config.SecureCookies(),
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Locals(localPersonal, true)
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HTTPOnly: true,
		Secure: s.Config.SecureCookies(), SameSite: fiber.CookieSameSiteLaxMode})
}
