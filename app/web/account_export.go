package web

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/audit"
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
