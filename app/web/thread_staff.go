package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// The moderators' actions on a whole thread, from the staff panel of its page:
// one plain form each, with an optional reason.

// threadID reads the :id of a thread route.
func threadID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// threadMove moves the thread to the chosen board.
func (s *Server) threadMove(c *fiber.Ctx) error {
	id, err := threadID(c)
	if err != nil {
		return err
	}
	board, err := strconv.ParseInt(c.FormValue("board"), 10, 64)
	if err != nil {
		return moderation.ErrBoard
	}
	t, err := s.Moderation.Move(c.UserContext(), currentUser(c), id, board, c.FormValue("reason"))
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, threadURL(t), "staff.moved_notice")
}

// threadMerge merges the thread into the one the moderator named, by number
// or address, and goes there.
func (s *Server) threadMerge(c *fiber.Ctx) error {
	id, err := threadID(c)
	if err != nil {
		return err
	}
	target, ok := moderation.ParseThreadRef(c.FormValue("target"))
	if !ok {
		return moderation.ErrMergeTarget
	}
	t, err := s.Moderation.Merge(c.UserContext(), currentUser(c), id, target, c.FormValue("reason"))
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, threadURL(t), "staff.merged_notice")
}

// threadSplit moves the ticked answers into a new thread and goes there; a
// form that is not complete shows the thread page again with what is missing.
func (s *Server) threadSplit(c *fiber.Ctx) error {
	id, err := threadID(c)
	if err != nil {
		return err
	}
	board, _ := strconv.ParseInt(c.FormValue("board"), 10, 64) // none: the form says so
	var posts []int64
	for _, v := range c.Request().PostArgs().PeekMulti("post") {
		pid, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fiber.ErrBadRequest
		}
		posts = append(posts, pid)
	}
	t, err := s.Moderation.Split(c.UserContext(), currentUser(c), id, posts, c.FormValue("title"), board, c.FormValue("reason"))
	if errs, ok := validate.From(err); ok {
		th, err := s.viewThread(c)
		if err != nil {
			return err
		}
		p, err := s.threadPage(c, th, 1)
		if err != nil {
			return err
		}
		p.SplitErrors, p.SplitTitle = errs, c.FormValue("title")
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "thread_show", p)
	}
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, threadURL(t), "staff.split_notice")
}

// threadToggle is the handler of an action that only takes the thread and a
// reason (lock, pin, hide and their undoing): it goes back to the thread with
// the notice key.
func (s *Server) threadToggle(act func(*moderation.Service, context.Context, *user.User, int64, string) error, notice string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := threadID(c)
		if err != nil {
			return err
		}
		if err := act(s.Moderation, c.UserContext(), currentUser(c), id, c.FormValue("reason")); err != nil {
			return err
		}
		t, err := s.Threads.Get(c.UserContext(), id)
		if err != nil {
			return err
		}
		return s.redirectWithNotice(c, threadURL(t), notice)
	}
}
