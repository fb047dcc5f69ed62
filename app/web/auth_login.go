package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/auth/sso"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type loginPage struct {
	Page
	Login      string
	Errors     validate.Errors
	Next       string
	MailOn     bool         // offer a password reset
	Unverified bool         // offer the verification link again
	Passwords  bool         // whether the password form is there
	SSO        []sso.Button // the configured single sign-on providers
}

func (s *Server) loginForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return s.render(c, "auth_login", &loginPage{Page: s.newPage(c, "auth.login"), Next: safeNext(c.Query("next")), MailOn: s.Auth.MailEnabled(),
		Passwords: s.Auth.PasswordSignIn(), SSO: s.Auth.Providers().Buttons()})
}

func (s *Server) login(c *fiber.Ctx) error {
	page := &loginPage{Page: s.newPage(c, "auth.login"), Login: validate.Cut(c.FormValue("login"), user.MaxLoginLen),
		Next: safeNext(validate.Cut(c.FormValue("next"), 2048)), MailOn: s.Auth.MailEnabled(), Passwords: s.Auth.PasswordSignIn(), SSO: s.Auth.Providers().Buttons()}
	_, token, err := s.Auth.SignIn(c.UserContext(), c.FormValue("login"), validate.Cut(c.FormValue("password"), 4*user.MaxPasswordLen+1), s.client(c))
	var limited *auth.RateLimitedError
	switch {
	case errors.As(err, &limited): // says what counts here: failures, not people signing in
		s.setRetryAfter(c, err)
		page.Errors = validate.Errors{"": "auth.rate_limited"}
		c.Status(fiber.StatusTooManyRequests)
		return s.render(c, "auth_login", page)
	case errors.Is(err, user.ErrInvalidCredentials):
		page.Errors = validate.Errors{"": "auth.invalid_credentials"}
		c.Status(fiber.StatusUnauthorized)
		return s.render(c, "auth_login", page)
	case errors.Is(err, auth.ErrUnverified):
		page.Errors, page.Unverified = validate.Errors{"": "auth.unverified"}, true
		c.Status(fiber.StatusForbidden)
		return s.render(c, "auth_login", page)
	case errors.Is(err, user.ErrBanned):
		page.Errors = validate.Errors{"": "auth.banned"}
		c.Status(fiber.StatusForbidden)
		return s.render(c, "auth_login", page)
	case err != nil:
		return s.formError(c, "auth_login", page, &page.Errors, err)
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return c.Redirect(page.Next, fiber.StatusSeeOther)
}

// startSession gives the browser the session token of a sign-in, with a
// password or at a provider, ending the session it had: a new session id on
// every sign-in makes a token planted before it worthless.
func (s *Server) startSession(c *fiber.Ctx, token string) error {
	if old := c.Cookies(sessionCookie); old != "" {
		if err := s.Auth.SignOut(c.UserContext(), old); err != nil {
			return err
		}
	}
	s.setCookie(c, sessionCookie, token, s.Config.SessionTTL.Duration)
	return nil
}

func (s *Server) logout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := s.Auth.SignOut(c.UserContext(), token); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return s.redirectWithNotice(c, "/", "auth.signed_out")
}

func (s *Server) setRetryAfter(c *fiber.Ctx, err error) {
	var limited *auth.RateLimitedError
	if errors.As(err, &limited) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(limited.RetryAfter.Seconds())+1))
	}
}
