package web

import (
	"regexp"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
)

// threadRef finds a thread's id in what a moderator typed: its number, or its
// address, with or without the host.
var threadRef = regexp.MustCompile(`^\s*(?:#?(\d{1,18})|(?:https?://[^/\s]+)?/t/(\d{1,18})(?:[/?#]\S*)?)\s*$`)

// threadDuplicate closes a thread as a duplicate of the thread the moderator
// named.
func (s *Server) threadDuplicate(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	m := threadRef.FindStringSubmatch(c.FormValue("canonical"))
	if m == nil {
		return moderation.ErrDuplicateTarget
	}
	canonical, err := strconv.ParseInt(m[1]+m[2], 10, 64)
	if err != nil {
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
