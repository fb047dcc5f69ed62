package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

type threadPage struct {
	Page
	Thread *thread.Thread
	Board  *board.Board
	Posts  []thread.ShownPost
}

// threadShow serves /t/<id>/<slug>; any other slug redirects to the canonical URL,
// so that links keep working after a title changes.
func (s *Server) threadShow(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := s.Threads.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if c.Params("slug") != t.Slug {
		return c.Redirect("/t/"+strconv.FormatInt(t.ID, 10)+"/"+t.Slug, fiber.StatusMovedPermanently)
	}
	b, err := s.Boards.Get(c.UserContext(), t.BoardID)
	if err != nil {
		return err
	}
	posts, err := s.Threads.Posts(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	p := s.newPage(c, "")
	p.Title = t.Title
	return s.render(c, "thread_show", &threadPage{Page: p, Thread: t, Board: b, Posts: posts})
}
