package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// verifyPage asks the member to confirm with a button rather than confirming
// on the GET of the mailed link: mail scanners open links to check them, and
// would spend the token before the member clicks.
type verifyPage struct {
	Page
	Token   string
	Invalid bool
	Errors  validate.Errors
}

func (s *Server) newVerifyPage(c *fiber.Ctx, token string) *verifyPage {
	p := &verifyPage{Page: s.newPage(c, "auth.verify"), Token: validate.Cut(token, 100)}
	p.Path = "/verify"
	return p
}

func (s *Server) verifyForm(c *fiber.Ctx) error {
	return s.render(c, "auth_verify", s.newVerifyPage(c, c.Query("token")))
}

func (s *Server) verify(c *fiber.Ctx) error {
	page := s.newVerifyPage(c, c.FormValue("token"))
	_, token, err := s.Auth.Verify(c.UserContext(), page.Token, s.client(c))
	if errors.Is(err, auth.ErrTokenInvalid) {
		page.Invalid = true
		c.Status(fiber.StatusGone)
		return s.render(c, "auth_verify", page)
	}
	if err != nil {
		return s.formError(c, "auth_verify", page, &page.Errors, err)
	}
	if err := s.startSession(c, token); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/", "auth.verified")
}

// checkMailPage says a link is on its way: after a sign-up, to the address
// typed; after a request for the link again, to the account's, if it waits
// for one.
type checkMailPage struct {
	Page
	Email  string
	Errors validate.Errors
}

func (s *Server) verifyResend(c *fiber.Ctx) error {
	login := validate.Cut(c.FormValue("login"), user.MaxLoginLen)
	lp := &loginPage{Page: s.newPage(c, "auth.login"), Login: login, MailOn: s.Auth.MailEnabled(), Unverified: true}
	if err := s.Auth.ResendVerification(c.UserContext(), login, lp.Lang, s.client(c)); err != nil {
		return s.formError(c, "auth_login", lp, &lp.Errors, err)
	}
	return s.render(c, "auth_check_mail", &checkMailPage{Page: s.newPage(c, "auth.check_mail")})
}
