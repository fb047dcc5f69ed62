package web

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// postKudos gives (or, with take=1, takes back) the viewer's kudos for a post. A
// script asking for JSON gets the new count; a form is redirected back to the post.
func (s *Server) postKudos(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	action, notice := s.Threads.GiveKudos, "kudos.given_notice"
	if c.FormValue("take") == "1" {
		action, notice = s.Threads.TakeKudos, "kudos.taken_notice"
	}
	t, count, err := action(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"post": id, "kudos": count, "given": c.FormValue("take") != "1"})
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), id), notice)
}
