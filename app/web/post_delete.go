package web

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// postDelete hides a post: staff's deletes go through moderation, anyone else's
// through thread, for their own posts. The choice only routes the request: each
// service checks the role again.
func (s *Server) postDelete(c *fiber.Ctx) error {
	action := s.Threads.Delete
	if thread.CanModerate(currentUser(c)) {
		action = s.Moderation.Delete
	}
	return s.postDeleteOrRestore(c, action, "delete.done")
}

// postRestore brings a deleted post back, routed like postDelete.
func (s *Server) postRestore(c *fiber.Ctx) error {
	action := s.Threads.Restore
	if thread.CanModerate(currentUser(c)) {
		action = s.Moderation.Restore
	}
	return s.postDeleteOrRestore(c, action, "delete.restored")
}

func (s *Server) postDeleteOrRestore(c *fiber.Ctx, action func(context.Context, *user.User, int64) (*thread.Thread, error), notice string) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := action(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	// A member who deleted their own question cannot see the thread any more.
	if _, err := s.Threads.View(c.UserContext(), currentUser(c), t.ID); err != nil {
		return s.redirectWithNotice(c, "/", notice)
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), id), notice)
}
