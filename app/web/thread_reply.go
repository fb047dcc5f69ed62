package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/thread"
)

// threadReply posts an answer, or with the Preview button shows the thread page with
// the rendered draft above the reply box.
func (s *Server) threadReply(c *fiber.Ctx) error {
	t, err := s.viewThread(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	if c.FormValue("action") == "preview" {
		p, err := s.threadPage(c, t, lastPage)
		if err != nil {
			return err
		}
		p.Draft = body
		if p.Preview, err = s.Threads.Preview(body); err != nil {
			return err
		}
		return s.render(c, "thread_show", p)
	}
	post, err := s.Threads.Reply(c.UserContext(), currentUser(c), t.ID, body)
	if err != nil {
		p, perr := s.threadPage(c, t, lastPage)
		if perr != nil {
			return perr
		}
		p.Draft = body
		return s.formError(c, "thread_show", p, &p.Errors, err)
	}
	page := t.AnswerCount/thread.AnswersPerPage + 1 // the new answer is number AnswerCount+1
	notice := "reply.posted"
	if post.Pending {
		notice = "post.pending_notice"
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s?page=%d#p%d", threadURL(t), page, post.ID), notice)
}

// lastPage asks Posts for the last page of answers, where a new answer lands.
const lastPage = 1 << 20
