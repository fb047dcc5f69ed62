package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type profilePage struct {
	Page
	DisplayName string
	Locale      string
	Errors      validate.Errors
	Connections []connection
	// HasPassword says the member confirms deleting their account with their
	// password; without one they sign in again at a provider (Confirmed).
	HasPassword bool
	Confirmed   bool
	// AvatarMaxMB is the largest picture one may upload, in MB, for the hint.
	AvatarMaxMB string
}

func (s *Server) profilePage(c *fiber.Ctx, displayName, locale string) (*profilePage, error) {
	conns, err := s.connections(c, currentUser(c))
	if err != nil {
		return nil, err
	}
	return &profilePage{Page: s.newPage(c, "profile.title"), DisplayName: displayName, Locale: locale, Connections: conns,
		HasPassword: currentUser(c).PasswordHash != "", Confirmed: s.confirmed(c),
		AvatarMaxMB: strconv.FormatFloat(float64(s.Config.UploadMaxBytes)/(1<<20), 'f', -1, 64)}, nil
}

func (s *Server) profileForm(c *fiber.Ctx) error {
	u := currentUser(c)
	page, err := s.profilePage(c, u.DisplayName, u.Locale)
	if err != nil {
		return err
	}
	return s.render(c, "profile_edit", page)
}

func (s *Server) profileSave(c *fiber.Ctx) error {
	u := currentUser(c)
	page, err := s.profilePage(c, c.FormValue("display_name"), c.FormValue("locale"))
	if err != nil {
		return err
	}
	err = s.Users.UpdateProfile(c.UserContext(), u.ID, user.Profile{DisplayName: page.DisplayName, Locale: page.Locale})
	if err != nil {
		return s.formError(c, "profile_edit", page, &page.Errors, err)
	}
	return s.redirectWithNotice(c, "/settings/profile", "profile.saved")
}
