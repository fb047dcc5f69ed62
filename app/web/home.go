package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/thread"
)

type homePage struct {
	Page
	Boards  []board.Board
	Threads []thread.Listed
}

func (s *Server) home(c *fiber.Ctx) error {
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return err
	}
	threads, err := s.Threads.Latest(c.UserContext(), 0, 20)
	if err != nil {
		return err
	}
	return s.render(c, "home", &homePage{Page: s.newPage(c, "home.title"), Boards: boards, Threads: threads})
}
