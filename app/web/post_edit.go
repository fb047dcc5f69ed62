package web

import (
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

type editPage struct {
	Page
	Post    *thread.Post
	Thread  *thread.Thread
	Title   string
	Body    string
	Reason  string
	Preview template.HTML
	Errors  validate.Errors
}

// editablePost loads the post in the URL and its thread, if the viewer may edit it.
func (s *Server) editablePost(c *fiber.Ctx) (*thread.Post, *thread.Thread, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, nil, fiber.ErrNotFound
	}
	p, err := s.Threads.GetPost(c.UserContext(), id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.Threads.View(c.UserContext(), currentUser(c), p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	if p.DeletedAt != nil && !thread.CanModerate(currentUser(c)) {
		return nil, nil, thread.ErrNotFound
	}
	if err := thread.EditError(currentUser(c), t, p, s.Threads.Privileges()); err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

func (s *Server) postEditForm(c *fiber.Ctx) error {
	p, t, err := s.editablePost(c)
	if err != nil {
		return err
	}
	return s.render(c, "post_edit", &editPage{Page: s.newPage(c, "edit.title"), Post: p, Thread: t, Title: t.Title, Body: p.Source})
}

func (s *Server) postEdit(c *fiber.Ctx) error {
	p, t, err := s.editablePost(c)
	if err != nil {
		return err
	}
	page := &editPage{Page: s.newPage(c, "edit.title"), Post: p, Thread: t,
		Title: c.FormValue("title"), Body: c.FormValue("body"), Reason: c.FormValue("reason")}
	if c.FormValue("action") == "preview" {
		if page.Preview, err = s.Threads.Preview(page.Body); err != nil {
			return err
		}
		return s.render(c, "post_edit", page)
	}
	_, err = s.Moderation.Edit(c.UserContext(), currentUser(c), p.ID, thread.Edit{Title: page.Title, Body: page.Body, Reason: page.Reason})
	if err != nil {
		return s.formError(c, "post_edit", page, &page.Errors, err)
	}
	t, err = s.Threads.Get(c.UserContext(), t.ID) // the slug may have changed
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), p.ID), "edit.saved")
}

type historyPage struct {
	Page
	Post     *thread.Post
	Thread   *thread.Thread
	Versions []thread.Version
}

// Newest lists the versions newest first, as a history page shows them.
func (p *historyPage) Newest() []thread.Version {
	out := make([]thread.Version, len(p.Versions))
	for i, v := range p.Versions {
		out[len(out)-1-i] = v
	}
	return out
}

func (s *Server) postHistory(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	p, versions, err := s.Threads.History(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	t, err := s.Threads.Get(c.UserContext(), p.ThreadID)
	if err != nil {
		return err
	}
	return s.render(c, "post_history", &historyPage{Page: s.newPage(c, "history.title"), Post: p, Thread: t, Versions: versions})
}
