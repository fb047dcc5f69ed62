package web

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// postAccept marks an answer as its thread's solution.
func (s *Server) postAccept(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := s.Threads.Accept(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), id), "solution.accepted_notice")
}

// threadUnaccept withdraws a thread's solution.
func (s *Server) threadUnaccept(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := s.Threads.Unaccept(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, threadURL(t), "solution.withdrawn_notice")
}

// postApprove publishes a post that waited for review, or keeps a flagged one.
func (s *Server) postApprove(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	notice := "post.approved_notice"
	if p, err := s.Threads.GetPost(c.UserContext(), id); err == nil && !p.Pending {
		notice = "queue.kept_notice" // shown and flagged: approving keeps it
	}
	t, err := s.Moderation.Approve(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	if c.FormValue("from") == "queue" {
		return s.redirectWithNotice(c, "/mod/queue", notice)
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), id), notice)
}
