package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type profilePage struct {
	Page
	DisplayName string
	Locale      string
	Errors      validate.Errors
}

func (s *Server) profileForm(c *fiber.Ctx) error {
	u := currentUser(c)
	return s.render(c, "profile_edit", &profilePage{Page: s.newPage(c, "profile.title"), DisplayName: u.DisplayName, Locale: u.Locale})
}

func (s *Server) profileSave(c *fiber.Ctx) error {
	u := currentUser(c)
	page := &profilePage{Page: s.newPage(c, "profile.title"), DisplayName: c.FormValue("display_name"), Locale: c.FormValue("locale")}
	err := s.Users.UpdateProfile(c.UserContext(), u.ID, user.Profile{DisplayName: page.DisplayName, Locale: page.Locale})
	if err != nil {
		return s.formError(c, "profile_edit", page, &page.Errors, err)
	}
	return s.redirectWithNotice(c, "/settings/profile", "profile.saved")
}
