package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/validate"
)

const queuePerPage = 30

type queuePage struct {
	Page
	Items     []moderation.Item
	MaxReason int
	Next      string // the cursor of the next page; "" = none
	Errors    validate.Errors
}

// DuplicateURL links a duplicate flag's thread.
func (p *queuePage) DuplicateURL(id int64) string { return "/t/" + strconv.FormatInt(id, 10) }

// FlagKind names a kind of flag or report in the page's language.
func (p *queuePage) FlagKind(kind string) string { return p.T("flag.kind." + kind) }

// modQueue lists what waits for a moderator, oldest first: posts held or
// hidden for review, shown posts with open flags and reported members, each
// with forms that work without JavaScript.
func (s *Server) modQueue(c *fiber.Ctx) error {
	q, err := s.Moderation.Queue(c.UserContext(), currentUser(c), c.Query("after"), queuePerPage)
	if err != nil {
		return err
	}
	p := &queuePage{Page: s.newPage(c, "queue.title"), MaxReason: moderation.MaxReason, Items: q.Items, Next: q.Next}
	return s.render(c, "mod_queue", p)
}

// queueError shows the queue's first page again with a form's problem.
func (s *Server) queueError(c *fiber.Ctx, err error) error {
	p := &queuePage{Page: s.newPage(c, "queue.title"), MaxReason: moderation.MaxReason}
	q, qerr := s.Moderation.Queue(c.UserContext(), currentUser(c), "", queuePerPage)
	if qerr != nil {
		return qerr
	}
	p.Items, p.Next = q.Items, q.Next
	return s.formError(c, "mod_queue", p, &p.Errors, err)
}

// postReject turns down a post that waits for review, with a reason for its
// author, and goes back to the queue.
func (s *Server) postReject(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if _, err := s.Moderation.Reject(c.UserContext(), currentUser(c), id, c.FormValue("reason")); err != nil {
		if _, ok := validate.From(err); ok {
			return s.queueError(c, err)
		}
		return err
	}
	return s.redirectWithNotice(c, "/mod/queue", "queue.rejected_notice")
}
