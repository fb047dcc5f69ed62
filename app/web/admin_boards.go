package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

type adminBoardsPage struct {
	Page
	Boards []board.Board
	Roles  []user.Role
	New    board.Board     // the create form's input
	EditID int64           // the board whose form has Errors; 0 = the create form
	Errors validate.Errors // problems of the form named by EditID
}

// ParentOptions are the boards a board may be nested under: top-level ones.
func (p *adminBoardsPage) ParentOptions() []board.Board {
	var top []board.Board
	for _, b := range p.Boards {
		if b.ParentID == nil {
			top = append(top, b)
		}
	}
	return top
}

// ErrorsFor returns the form problems if they belong to board id's form.
func (p *adminBoardsPage) ErrorsFor(id int64) validate.Errors {
	if p.EditID == id {
		return p.Errors
	}
	return nil
}

// boardFormView is one board's form on the page.
type boardFormView struct {
	P *adminBoardsPage
	B board.Board
}

// BoardForm pairs a board with the page for the "board-fields" template.
func (p *adminBoardsPage) BoardForm(b board.Board) boardFormView { return boardFormView{P: p, B: b} }

func (s *Server) adminBoardsPage(c *fiber.Ctx) (*adminBoardsPage, error) {
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return nil, err
	}
	return &adminBoardsPage{Page: s.newPage(c, "admin.boards"), Boards: boards, Roles: user.Roles}, nil
}

func (s *Server) adminBoards(c *fiber.Ctx) error {
	p, err := s.adminBoardsPage(c)
	if err != nil {
		return err
	}
	return s.render(c, "admin_boards", p)
}

func boardForm(c *fiber.Ctx) board.Board {
	b := board.Board{
		Slug: c.FormValue("slug"), NameEN: c.FormValue("name_en"), NameDE: c.FormValue("name_de"),
		DescriptionEN: c.FormValue("description_en"), DescriptionDE: c.FormValue("description_de"),
		PostRole: user.Role(c.FormValue("post_role")),
	}
	b.Position, _ = strconv.Atoi(c.FormValue("position"))
	if parent := formInt(c, "parent"); parent != 0 {
		b.ParentID = &parent
	}
	return b
}

// adminBoardSave creates a board (no id in the URL) or updates one.
func (s *Server) adminBoardSave(c *fiber.Ctx) error {
	typed := boardForm(c) // shown again as typed if the board is refused
	b := typed
	var err error
	if id := c.Params("id"); id != "" {
		if b.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
			return fiber.ErrNotFound
		}
		err = s.Boards.Update(c.UserContext(), &b)
	} else {
		err = s.Boards.Create(c.UserContext(), &b)
	}
	if err != nil {
		p, perr := s.adminBoardsPage(c)
		if perr != nil {
			return perr
		}
		typed.ID = b.ID
		p.EditID = b.ID
		if b.ID == 0 {
			p.New = typed
		} else { // show the submitted values in that board's form
			for i := range p.Boards {
				if p.Boards[i].ID == b.ID {
					typed.ThreadCount = p.Boards[i].ThreadCount
					p.Boards[i] = typed
				}
			}
		}
		return s.formError(c, "admin_boards", p, &p.Errors, err)
	}
	s.Log.Info("board saved", "actor", currentUser(c).ID, "board", b.ID, "slug", b.Slug, "request_id", requestID(c))
	return s.redirectWithNotice(c, "/admin/boards", "admin.board_saved")
}
