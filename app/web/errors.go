package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/validate"
)

// errorInfo maps err to a status and the i18n key of a message that is safe to show.
// Domain errors carry both (app/problem), so a new package needs no case here.
func errorInfo(err error) (int, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
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
	}
	if p, ok := errors.AsType[*problem.Error](err); ok {
		return p.Status(), p.Key()
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
	if status >= 500 && !quietError(err) {
		s.Log.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
	}
	s.setRetryAfter(c, err)
	lang := language(c)
	if lang == "" { // failed before the language was picked
		lang = s.I18n.Match(c.Get(fiber.HeaderAcceptLanguage))
	}
	msg := s.I18n.Translate(lang, key, problem.Args(err)...)
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
