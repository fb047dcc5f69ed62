package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/user"
)

type userPage struct {
	Page
	Profile *user.User
}

func (s *Server) userShow(c *fiber.Ctx) error {
	u, err := s.Users.GetByHandle(c.UserContext(), c.Params("handle"))
	if err != nil {
		return err
	}
	p := s.newPage(c, "")
	p.Title = u.DisplayName
	return s.render(c, "user_show", &userPage{Page: p, Profile: u})
}
