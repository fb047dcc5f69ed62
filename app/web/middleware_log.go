package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
)

const localRequestID = "request_id"

// recoverPanics turns a panic in a handler into a 500 page; the stack goes to the
// log with the request id, never to the user.
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.Log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("web: panic: %v", p)
		}
	}()
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// requestLog gives every request an id (X-Request-Id) and logs one line for it,
// after the error handler has settled the status.
func (s *Server) requestLog(c *fiber.Ctx) error {
	start := time.Now()
	id := auth.NewToken()[:16]
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	level := slog.LevelInfo
	switch {
	case quietError(err):
		level = slog.LevelWarn
	case c.Response().StatusCode() >= 500:
		level = slog.LevelError
	}
	s.Log.LogAttrs(c.UserContext(), level, "request",
		slog.String("request_id", id),
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", c.Response().StatusCode()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", s.clientIP(c)))
	return nil
}
