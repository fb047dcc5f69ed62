package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

type boardPage struct {
	Page
	Board   *board.Board
	Threads []thread.Listed
}

func (s *Server) boardShow(c *fiber.Ctx) error {
	b, err := s.Boards.GetBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	threads, err := s.Threads.Latest(c.UserContext(), b.ID, 30)
	if err != nil {
		return err
	}
	p := s.newPage(c, "")
	p.Title = b.Name(p.Lang)
	return s.render(c, "board_show", &boardPage{Page: p, Board: b, Threads: threads})
}
