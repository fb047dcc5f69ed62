package web

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

type askPage struct {
	Page
	Boards   []board.Board // those the viewer may post in
	BoardID  int64
	Title    string
	Body     string
	Tags     string
	Language string
	Preview  template.HTML
	Errors   validate.Errors
	// Before the question is posted: existing threads that may answer it. Confirmed
	// says the asker has seen them (the step, or the list shown while typing).
	Suggestions []suggestion
	Confirmed   bool
	AskSession  string // ties suggestions shown, opened and posted to this ask
}

func (s *Server) askBoards(c *fiber.Ctx) ([]board.Board, error) {
	all, err := s.Boards.List(c.UserContext())
	if err != nil {
		return nil, err
	}
	var open []board.Board
	for _, b := range all {
		if thread.CanPost(currentUser(c), b.PostRole) {
			open = append(open, b)
		}
	}
	return open, nil
}

func (s *Server) askForm(c *fiber.Ctx) error {
	boards, err := s.askBoards(c)
	if err != nil {
		return err
	}
	p := &askPage{Page: s.newPage(c, "ask.title"), Boards: boards}
	p.Language = p.Lang
	if p.AskSession, err = s.Deflect.Start(c.UserContext(), currentUser(c).ID); err != nil {
		return err
	}
	if slug := c.Query("board"); slug != "" {
		for _, b := range boards {
			if b.Slug == slug {
				p.BoardID = b.ID
			}
		}
	}
	return s.render(c, "thread_ask", p)
}

// ask posts a question, or with the Preview button (the no-JavaScript path) shows
// the rendered body above the form with everything typed kept.
func (s *Server) ask(c *fiber.Ctx) error {
	boards, err := s.askBoards(c)
	if err != nil {
		return err
	}
	p := &askPage{Page: s.newPage(c, "ask.title"), Boards: boards,
		Title: c.FormValue("title"), Body: c.FormValue("body"), Tags: c.FormValue("tags"), Language: c.FormValue("language")}
	p.BoardID = formInt(c, "board")
	p.Confirmed = c.FormValue("confirm") == "1"
	p.AskSession = c.FormValue("ask_session")
	if c.FormValue("action") == "preview" {
		if p.Preview, err = s.Threads.Preview(p.Body); err != nil {
			return err
		}
		return s.render(c, "thread_ask", p)
	}
	ask := thread.Ask{BoardID: p.BoardID, Title: p.Title, Body: p.Body, Tags: p.Tags, Language: p.Language}
	if !p.Confirmed { // without JavaScript: "Before you post — do these answer your question?"
		// A question that could not be posted as it is gets its errors first: the
		// threads like it are for one about to be posted, and would push the
		// messages out of sight.
		if err := s.Threads.CheckAsk(c.UserContext(), currentUser(c), ask); err != nil {
			return s.formError(c, "thread_ask", p, &p.Errors, err)
		}
		if p.Suggestions, err = s.suggestions(c, p.Title+" "+p.Body, 0, 5, p.AskSession); err != nil {
			return err
		}
		if len(p.Suggestions) > 0 {
			p.Confirmed = true
			return s.render(c, "thread_ask", p)
		}
	}
	t, err := s.Threads.Create(c.UserContext(), currentUser(c), ask)
	if err != nil {
		return s.formError(c, "thread_ask", p, &p.Errors, err)
	}
	s.recordDeflection(c, p.AskSession, deflection.Posted, p.Title, t.ID)
	notice := "ask.posted"
	if t.Pending {
		notice = "post.pending_notice"
	}
	return s.redirectWithNotice(c, threadURL(t), notice)
}

// formInt reads a whole-number form field; anything else is 0.
func formInt(c *fiber.Ctx, name string) int64 {
	var n int64
	for _, r := range c.FormValue(name) {
		if r < '0' || r > '9' || n > 1<<50 {
			return 0
		}
		n = n*10 + int64(r-'0')
	}
	return n
}
