package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/deflection"
)

// recordDeflection notes what happened in an ask session. It never fails the
// page: a missing, foreign or made-up session id only means nothing is counted.
func (s *Server) recordDeflection(c *fiber.Ctx, session, kind, query string, threadIDs ...int64) {
	u := currentUser(c)
	if session == "" || u == nil || len(session) > 64 {
		return
	}
	err := s.Deflect.Record(c.UserContext(), u.ID, session, kind, query, threadIDs...)
	if err != nil && !errors.Is(err, deflection.ErrUnknownSession) {
		s.Log.Warn("deflection event", "kind", kind, "request_id", requestID(c), "err", err)
	}
}

// askSolved takes "this solved my problem" on a thread opened from a suggestion:
// the ask ends there, deflected.
func (s *Server) askSolved(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.FormValue("thread"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := s.Threads.View(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	s.recordDeflection(c, c.FormValue("ask_session"), deflection.Solved, "", t.ID)
	return s.redirectWithNotice(c, threadURL(t), "deflect.thanks")
}
