package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/account"
	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// accountExport sends the signed-in member everything the forum holds on
// them, as a JSON download.
func (s *Server) accountExport(c *fiber.Ctx) error {
	return s.sendExport(c, currentUser(c).ID)
}

// adminAccountExport sends an admin a member's export, for a request the
// member made elsewhere; that an admin read it is a row of the audit log.
func (s *Server) adminAccountExport(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if _, err := s.Users.Get(c.UserContext(), id); err != nil {
		return err
	}
	if err := s.Audit.Record(c.UserContext(), audit.Entry{ActorID: currentUser(c).ID, Action: audit.ExportMember, MemberID: audit.Ref(id)}); err != nil {
		return err
	}
	return s.sendExport(c, id)
}

func (s *Server) sendExport(c *fiber.Ctx, id int64) error {
	e, err := s.Accounts.Export(c.UserContext(), id)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="schwarm-%s-%s.json"`, e.Profile.Handle, e.ExportedAt.Format("2006-01-02")))
	c.Type("json", "utf-8")
	return c.Send(body)
}

// accountDelete erases the signed-in member's account once they confirm with
// their password (without one: by signing in again at a provider), and signs
// them out; with remove_posts their posts go too.
func (s *Server) accountDelete(c *fiber.Ctx) error {
	u := currentUser(c)
	page, err := s.profilePage(c, u.DisplayName, u.Locale)
	if err != nil {
		return err
	}
	errs := validate.Errors{}
	if c.FormValue("confirm") != "yes" {
		errs.Add("confirm", "account.delete_confirm")
	}
	if !page.HasPassword {
		// A member who signs in only through providers confirms there.
		if !page.Confirmed {
			errs.Add("", "sso.confirm_first")
		}
	} else {
		_, err = s.Users.Authenticate(c.UserContext(), u.Handle, validate.Cut(c.FormValue("password"), 4*user.MaxPasswordLen+1))
	}
	switch {
	case errors.Is(err, user.ErrInvalidCredentials):
		errs.Add("password", "account.delete_password")
	case err != nil && !errors.Is(err, user.ErrBanned): // a banned member may still go
		return err
	}
	if err := errs.Err(); err != nil {
		return s.formError(c, "profile_edit", page, &page.Errors, err)
	}
	if err := s.Accounts.Delete(c.UserContext(), u, u.ID, c.FormValue("remove_posts") == "yes"); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	s.clearCookie(c, confirmedCookie)
	return s.redirectWithNotice(c, "/", "account.deleted")
}

// adminAccountDelete erases a member's account for an admin, with or without
// their posts; an admin's own goes through their settings, with the password.
func (s *Server) adminAccountDelete(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	actor := currentUser(c)
	if id == actor.ID {
		return account.ErrForbidden
	}
	if err := s.Accounts.Delete(c.UserContext(), actor, id, c.FormValue("remove_posts") == "yes"); err != nil {
		return err
	}
	return s.redirectWithNotice(c, "/admin/users", "account.deleted_by_admin")
}
