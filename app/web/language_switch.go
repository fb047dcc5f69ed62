package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// languageSwitch is the footer's language form. It remembers the choice in a cookie
// and, for a signed-in user, in the profile. Guests get plain links (GET), which only
// set their own cookie, so that their pages carry no form token and can be cached.
func (s *Server) languageSwitch(c *fiber.Ctx) error {
	lang, next := c.FormValue("lang"), c.FormValue("next")
	if c.Method() == fiber.MethodGet {
		lang, next = c.Query("lang"), c.Query("next")
	}
	if !s.I18n.Has(lang) {
		return fiber.NewError(fiber.StatusBadRequest, "unknown language")
	}
	if u := currentUser(c); u != nil && c.Method() == fiber.MethodPost {
		if err := s.Users.SetLocale(c.UserContext(), u.ID, lang); err != nil {
			return err
		}
	}
	s.setCookie(c, languageCookie, lang, 365*24*time.Hour)
	return c.Redirect(safeNext(next), fiber.StatusSeeOther)
}
