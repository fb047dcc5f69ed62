package web

import (
	"fmt"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/auth"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/upload"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// TestErrorInfo pins the status and message key of every error a handler may
// return. The table was written from the switch errorInfo once was, so that
// moving the mapping into the errors themselves could not change a response.
func TestErrorInfo(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		key    string
	}{
		{"fiber 404", fiber.ErrNotFound, 404, "error.not_found"},
		{"fiber 413", fiber.ErrRequestEntityTooLarge, 413, "error.too_large"},
		{"fiber 405", fiber.ErrMethodNotAllowed, 405, "error.method"},
		{"fiber 400", fiber.ErrBadRequest, 400, "error.bad_request"},
		{"fiber 415", fiber.ErrUnsupportedMediaType, 415, "error.bad_request"},
		{"fiber 503", fiber.ErrServiceUnavailable, 500, "error.internal"},

		{"user.ErrNotFound", user.ErrNotFound, 404, "error.not_found"},
		{"board.ErrNotFound", board.ErrNotFound, 404, "error.not_found"},
		{"thread.ErrNotFound", thread.ErrNotFound, 404, "error.not_found"},
		{"errCSRF", errCSRF, 403, "error.csrf"},
		{"errSignIn", errSignIn, 403, "error.sign_in"},
		{"errForbidden", errForbidden, 403, "error.forbidden"},
		{"auth.RateLimitedError", &auth.RateLimitedError{}, 429, "error.rate_limited"},
		{"user.ErrOwnRole", user.ErrOwnRole, 409, "admin.own_role"},
		{"thread.ErrLocked", thread.ErrLocked, 409, "thread.locked"},
		{"thread.ErrDuplicate", thread.ErrDuplicate, 409, "duplicate.no_answers"},
		{"moderation.ErrDuplicateSelf", moderation.ErrDuplicateSelf, 422, "duplicate.self"},
		{"moderation.ErrDuplicateTarget", moderation.ErrDuplicateTarget, 422, "duplicate.target"},
		{"thread.ErrForbidden", thread.ErrForbidden, 403, "error.forbidden"},
		{"thread.ErrTooLate", thread.ErrTooLate, 409, "delete.too_late"},
		{"thread.ErrOwnPost", thread.ErrOwnPost, 409, "kudos.own"},
		{"thread.ErrKudosGiven", thread.ErrKudosGiven, 409, "kudos.twice"},
		{"thread.ErrNoKudos", thread.ErrNoKudos, 409, "kudos.none"},
		{"thread.ErrNotAnswer", thread.ErrNotAnswer, 409, "solution.not_answer"},
		{"thread.ErrAlreadySolution", thread.ErrAlreadySolution, 409, "solution.already"},
		{"thread.ErrNoSolution", thread.ErrNoSolution, 409, "solution.none"},
		{"thread.ErrConflict", thread.ErrConflict, 409, "error.conflict"},
		{"thread.ErrDailyLimit", thread.ErrDailyLimit, 429, "post.daily_limit"},
		{"validate.Errors", validate.Errors{"title": "form.required"}, 422, "error.bad_request"},

		// The old switch left these out (500): their handlers answer them before the
		// error handler could see them. Now they carry what a handler that did not
		// would want: the sign-in form's own messages, 404 for what is not there.
		{"user.ErrInvalidCredentials", user.ErrInvalidCredentials, 401, "auth.invalid_credentials"},
		{"user.ErrBanned", user.ErrBanned, 403, "auth.banned"},
		{"auth.ErrNoSession", auth.ErrNoSession, 403, "error.sign_in"},
		{"auth.ErrRateLimited", auth.ErrRateLimited, 429, "error.rate_limited"},
		{"upload.ErrNotFound", upload.ErrNotFound, 404, "error.not_found"},
		{"deflection.ErrUnknownSession", deflection.ErrUnknownSession, 404, "error.not_found"},

		{"unknown", fmt.Errorf("database: connection refused"), 500, "error.internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Services wrap their sentinels with a prefix; the mapping must see through it.
			for _, err := range []error{tt.err, fmt.Errorf("outer: %w", tt.err)} {
				status, key := errorInfo(err)
				if status != tt.status || key != tt.key {
					t.Errorf("errorInfo(%v) = %d, %q; want %d, %q", err, status, key, tt.status, tt.key)
				}
			}
		})
	}
}
