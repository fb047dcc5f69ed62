package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// userRestrict suspends or silences a member, or lifts it, from their profile.
func (s *Server) userRestrict(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u, err := s.Users.GetByHandle(ctx, c.Params("handle"))
	if err != nil {
		return err
	}
	r := moderation.Restriction{Reason: c.FormValue("reason")}
	switch c.FormValue("kind") {
	case "suspend":
		r.Suspend = true
	case "silence":
		r.Silence = true
	case "both":
		r.Suspend, r.Silence = true, true
	case "lift":
	default:
		return s.restrictError(c, u, validate.Errors{"": "restrict.kind_required"})
	}
	if until := c.FormValue("until"); until != "" && r != (moderation.Restriction{}) {
		t, err := time.Parse(time.DateOnly, until)
		if err != nil {
			return s.restrictError(c, u, validate.Errors{"until": "audit.bad_date"})
		}
		r.Until = &t
	}
	if err := s.Moderation.Restrict(ctx, currentUser(c), u.ID, r, s.Now()); err != nil {
		if _, ok := validate.From(err); ok {
			return s.restrictError(c, u, err)
		}
		return err
	}
	return s.redirectWithNotice(c, "/u/"+u.Handle, "restrict.saved")
}

// restrictError shows the profile again with the form's problems.
func (s *Server) restrictError(c *fiber.Ctx, u *user.User, err error) error {
	p, perr := s.newUserPage(c, u)
	if perr != nil {
		return perr
	}
	return s.formError(c, "user_show", p, &p.Errors, err)
}

// refuseSuspended keeps a suspended member from writing, and says why and until
// when in their language; the services refuse it too.
func (s *Server) refuseSuspended(c *fiber.Ctx) error {
	u := currentUser(c)
	p := Page{Lang: language(c), bundle: s.I18n}
	if err := user.WriteError(u, s.Now(), p.untilText); err != nil {
		return err
	}
	return c.Next()
}
