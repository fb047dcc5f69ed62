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
	NextAfter int64 // 0 = no next page
	Errors    validate.Errors
}

// modQueue lists the posts that wait for review, oldest first, each with an
// approve and a reject form that work without JavaScript.
func (s *Server) modQueue(c *fiber.Ctx) error {
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	items, err := s.Moderation.Queue(c.UserContext(), currentUser(c), max(after, 0), queuePerPage+1)
	if err != nil {
		return err
	}
	p := &queuePage{Page: s.newPage(c, "queue.title"), MaxReason: moderation.MaxReason}
	if len(items) > queuePerPage {
		items = items[:queuePerPage]
		p.NextAfter = items[len(items)-1].PostID
	}
	p.Items = items
	return s.render(c, "mod_queue", p)
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
			p := &queuePage{Page: s.newPage(c, "queue.title"), MaxReason: moderation.MaxReason}
			if p.Items, err = s.Moderation.Queue(c.UserContext(), currentUser(c), 0, queuePerPage); err != nil {
				return err
			}
			return s.formError(c, "mod_queue", p, &p.Errors, validate.Errors{"reason": "queue.reason_long"})
		}
		return err
	}
	return s.redirectWithNotice(c, "/mod/queue", "queue.rejected_notice")
}
