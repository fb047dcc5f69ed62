package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/mail"
	"github.com/schwarm/schwarm/app/user"
)

const adminUsersPerPage = 50

type adminUsersPage struct {
	Page
	Users     []user.User
	Roles     []user.Role
	NextAfter int64 // 0 = no next page
	MailOn    bool
	MailQueue mail.Counts
}

func (s *Server) adminUsers(c *fiber.Ctx) error {
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	users, err := s.Users.List(c.UserContext(), max(after, 0), adminUsersPerPage+1)
	if err != nil {
		return err
	}
	page := &adminUsersPage{Page: s.newPage(c, "admin.users"), Roles: user.Roles, MailOn: s.Mail.Enabled()}
	if page.MailOn {
		if page.MailQueue, err = s.Mail.Counts(c.UserContext()); err != nil {
			return err
		}
	}
	if len(users) > adminUsersPerPage {
		users = users[:adminUsersPerPage]
		page.NextAfter = users[len(users)-1].ID
	}
	page.Users = users
	return s.render(c, "admin_users", page)
}

func (s *Server) adminUserRole(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	actor := currentUser(c)
	if err := s.Users.SetRole(c.UserContext(), actor.ID, id, user.Role(c.FormValue("role"))); err != nil {
		return err
	}
	s.Log.Info("role changed", "actor", actor.ID, "user", id, "role", c.FormValue("role"), "request_id", requestID(c))
	return s.redirectWithNotice(c, "/admin/users", "admin.role_saved")
}
