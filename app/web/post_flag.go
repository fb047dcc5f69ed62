package web

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

// errFlagRate says a member or an address flagged too much; it goes with the
// auth.RateLimitedError that knows the wait.
var errFlagRate = problem.New(fiber.StatusTooManyRequests, "flag.rate_limited", "web: flag rate limited")

// limitFlags caps flags and reports per member and per client address
// (SCHWARM_RATE_FLAG): a flag can hide a post, so a script must not flag a
// forum empty. Moderators and admins are not limited; agents are, like members.
// It goes after requireRole.
func (s *Server) limitFlags(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil || thread.CanModerate(u) {
		return c.Next()
	}
	r := s.Config.FlagRate
	for _, key := range []string{"flag:user:" + strconv.FormatInt(u.ID, 10), "flag:addr:" + s.clientIP(c)} {
		ok, retry, err := s.Limiter.Allow(c.UserContext(), key, r.N, r.Window)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %w", errFlagRate, &auth.RateLimitedError{RetryAfter: retry})
		}
	}
	return c.Next()
}

// postFlag records the viewer's flag on a post and goes back to the thread,
// or home when the flag hid the thread's question.
func (s *Server) postFlag(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	in := moderation.FlagInput{Kind: c.FormValue("kind"), Text: c.FormValue("text"), Duplicate: c.FormValue("duplicate")}
	t, err := s.Moderation.Flag(c.UserContext(), currentUser(c), id, in)
	if fields, ok := validate.From(err); ok {
		return s.flagError(c, id, fields)
	}
	if err != nil {
		return err
	}
	t, err = s.Threads.View(c.UserContext(), currentUser(c), t.ID)
	if errors.Is(err, thread.ErrNotFound) { // the flag hid the thread's question
		return s.redirectWithNotice(c, "/", "flag.thanks")
	}
	if err != nil {
		return err
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), id), "flag.thanks")
}

// flagError shows the thread page again, the flag form open with its problems.
func (s *Server) flagError(c *fiber.Ctx, postID int64, fields validate.Errors) error {
	p, err := s.Threads.GetPost(c.UserContext(), postID)
	if err != nil {
		return err
	}
	t, err := s.Threads.View(c.UserContext(), currentUser(c), p.ThreadID)
	if err != nil {
		return err
	}
	page, err := s.threadPage(c, t, c.QueryInt("page", 1))
	if err != nil {
		return err
	}
	form := &flagForm{Kind: c.FormValue("kind"), Text: c.FormValue("text"), Duplicate: c.FormValue("duplicate")}
	for _, field := range []string{"kind", "text", "duplicate"} {
		if key := fields[field]; key != "" {
			form.Errors = append(form.Errors, page.T(key))
		}
	}
	for i := range page.Rows {
		if page.Rows[i].ID == postID {
			page.Rows[i].Flag = form
		}
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, "thread_show", page)
}

// postHide takes a post out of view until it is reviewed, as a moderator.
func (s *Server) postHide(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := s.Moderation.Hide(c.UserContext(), currentUser(c), id, c.FormValue("reason"))
	if _, ok := validate.From(err); ok && c.FormValue("from") == "queue" {
		return s.queueError(c, err)
	}
	if err != nil {
		return err
	}
	if c.FormValue("from") == "queue" {
		return s.redirectWithNotice(c, "/mod/queue", "post.hidden_notice")
	}
	return s.redirectWithNotice(c, fmt.Sprintf("%s#p%d", threadURL(t), id), "post.hidden_notice")
}
