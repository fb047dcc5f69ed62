package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// languageSwitch is the footer's language form. It remembers the choice in a cookie
// and, for a signed-in user, in the profile.
func (s *Server) languageSwitch(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !s.I18n.Has(lang) {
		return fiber.NewError(fiber.StatusBadRequest, "unknown language")
	}
	if u := currentUser(c); u != nil {
		if err := s.Users.SetLocale(c.UserContext(), u.ID, lang); err != nil {
			return err
		}
	}
	s.setCookie(c, languageCookie, lang, 365*24*time.Hour)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}
