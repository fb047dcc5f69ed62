package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// errorInfo maps err to a status and the i18n key of a message that is safe to show.
func errorInfo(err error) (int, string) {
	var fe *fiber.Error
	var limited *auth.RateLimitedError
	switch {
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, "error.not_found"
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "error.too_large"
		case fiber.StatusMethodNotAllowed:
			return fe.Code, "error.method"
		}
		if fe.Code < 500 {
			return fe.Code, "error.bad_request"
		}
	case errors.Is(err, user.ErrNotFound), errors.Is(err, board.ErrNotFound), errors.Is(err, thread.ErrNotFound):
		return fiber.StatusNotFound, "error.not_found"
	case errors.Is(err, errCSRF):
		return fiber.StatusForbidden, "error.csrf"
	case errors.Is(err, errSignIn):
		return fiber.StatusForbidden, "error.sign_in"
	case errors.Is(err, errForbidden):
		return fiber.StatusForbidden, "error.forbidden"
	case errors.As(err, &limited):
		return fiber.StatusTooManyRequests, "error.rate_limited"
	case errors.Is(err, user.ErrOwnRole):
		return fiber.StatusConflict, "admin.own_role"
	case errors.Is(err, thread.ErrLocked):
		return fiber.StatusConflict, "thread.locked"
	case errors.Is(err, thread.ErrDuplicate):
		return fiber.StatusConflict, "duplicate.no_answers"
	case errors.Is(err, moderation.ErrDuplicateSelf):
		return fiber.StatusUnprocessableEntity, "duplicate.self"
	case errors.Is(err, moderation.ErrDuplicateTarget):
		return fiber.StatusUnprocessableEntity, "duplicate.target"
	case errors.Is(err, thread.ErrForbidden):
		return fiber.StatusForbidden, "error.forbidden"
	case errors.Is(err, thread.ErrTooLate):
		return fiber.StatusConflict, "delete.too_late"
	case errors.Is(err, thread.ErrOwnPost):
		return fiber.StatusConflict, "kudos.own"
	case errors.Is(err, thread.ErrKudosGiven):
		return fiber.StatusConflict, "kudos.twice"
	case errors.Is(err, thread.ErrNoKudos):
		return fiber.StatusConflict, "kudos.none"
	case errors.Is(err, thread.ErrNotAnswer):
		return fiber.StatusConflict, "solution.not_answer"
	case errors.Is(err, thread.ErrAlreadySolution):
		return fiber.StatusConflict, "solution.already"
	case errors.Is(err, thread.ErrNoSolution):
		return fiber.StatusConflict, "solution.none"
	case errors.Is(err, thread.ErrConflict):
		return fiber.StatusConflict, "error.conflict"
	case errors.Is(err, thread.ErrDailyLimit):
		return fiber.StatusTooManyRequests, "post.daily_limit"
	}
	if _, ok := validate.From(err); ok {
		return fiber.StatusUnprocessableEntity, "error.bad_request"
	}
	return fiber.StatusInternalServerError, "error.internal"
}

type errorPage struct {
	Page
	Status  int
	Message string
}

// handleError is the one place errors become responses: a localized page, or RFC
// 9457 problem details for the API and JSON clients. Internal details only go to
// the log.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, key := errorInfo(err)
	if status >= 500 {
		s.Log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
	}
	s.setRetryAfter(c, err)
	lang := language(c)
	if lang == "" { // failed before the language was picked
		lang = s.I18n.Match(c.Get(fiber.HeaderAcceptLanguage))
	}
	msg := s.I18n.Translate(lang, key)
	if wantsJSON(c) {
		c.Set(fiber.HeaderContentLanguage, lang)
		return c.Status(status).JSON(fiber.Map{
			"type":   "about:blank",
			"title":  s.I18n.Translate(lang, "status."+strconv.Itoa(status)),
			"status": status,
			"detail": msg,
		}, "application/problem+json")
	}
	p := s.newPage(c, "status."+strconv.Itoa(status))
	p.Lang = lang
	c.Status(status)
	return s.render(c, "error", &errorPage{Page: p, Status: status, Message: msg})
}

// wantsJSON reports whether the client asked for JSON rather than a page: the API,
// and requests that prefer application/json.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
}

// notFound answers every path no route matched.
func (s *Server) notFound(c *fiber.Ctx) error { return fiber.ErrNotFound }
