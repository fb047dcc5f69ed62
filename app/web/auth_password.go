package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type forgotPage struct {
	Page
	Email  string
	Sent   bool // the request went through: the page says so, whatever the address
	MailOn bool
	Errors validate.Errors
}

func (s *Server) forgotForm(c *fiber.Ctx) error {
	return s.render(c, "auth_forgot", &forgotPage{Page: s.newPage(c, "auth.forgot"), MailOn: s.Auth.MailEnabled()})
}

func (s *Server) forgot(c *fiber.Ctx) error {
	page := &forgotPage{Page: s.newPage(c, "auth.forgot"), Email: validate.Cut(c.FormValue("email"), user.MaxLoginLen), MailOn: s.Auth.MailEnabled()}
	if err := s.Auth.RequestPasswordReset(c.UserContext(), page.Email, page.Lang, s.client(c)); err != nil {
		return s.formError(c, "auth_forgot", page, &page.Errors, err)
	}
	page.Sent = true
	return s.render(c, "auth_forgot", page)
}

type resetPage struct {
	Page
	Token   string
	Invalid bool // used, expired or unknown: the page offers a new link instead
	Errors  validate.Errors
}

// newResetPage keeps the token out of the page's own address, which the
// header's links carry on.
func (s *Server) newResetPage(c *fiber.Ctx, token string) *resetPage {
	p := &resetPage{Page: s.newPage(c, "auth.reset"), Token: validate.Cut(token, 100)}
	p.Path = "/password/reset"
	return p
}

func (s *Server) resetForm(c *fiber.Ctx) error {
	page := s.newResetPage(c, c.Query("token"))
	if err := s.Auth.CheckResetToken(c.UserContext(), page.Token); err != nil {
		if !errors.Is(err, auth.ErrTokenInvalid) {
			return err
		}
		page.Invalid = true
		c.Status(fiber.StatusGone)
	}
	return s.render(c, "auth_reset", page)
}

func (s *Server) reset(c *fiber.Ctx) error {
	page := s.newResetPage(c, c.FormValue("token"))
	_, token, err := s.Auth.ResetPassword(c.UserContext(), page.Token, validate.Cut(c.FormValue("password"), 4*user.MaxPasswordLen+1), s.client(c))
	if errors.Is(err, auth.ErrTokenInvalid) {
		page.Invalid = true
		c.Status(fiber.StatusGone)
		return s.render(c, "auth_reset", page)
	}
	if err != nil {
		return s.formError(c, "auth_reset", page, &page.Errors, err)
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/", "auth.password_changed")
}
