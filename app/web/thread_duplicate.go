package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
)

// threadDuplicate closes a thread as a duplicate of the thread the moderator
// named.
func (s *Server) threadDuplicate(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	canonical, ok := moderation.ParseThreadRef(c.FormValue("canonical"))
	if !ok {
		return moderation.ErrDuplicateTarget
	}
	t, err := s.Moderation.CloseAsDuplicate(c.UserContext(), currentUser(c), id, canonical)
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, threadURL(t), "duplicate.closed_notice")
}

// threadReopen takes back a thread's closing as a duplicate.
func (s *Server) threadReopen(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := s.Moderation.Reopen(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	t, err := s.Threads.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, threadURL(t), "duplicate.reopened_notice")
}
