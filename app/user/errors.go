package user

import (
	"net/http"

	"github.com/schwarm/schwarm/app/problem"
)

// Errors of this package, each with the status and message key it is answered
// with; field problems come as validate.Errors. Sign-in answers
// ErrInvalidCredentials and ErrBanned on its own form, but a caller that does not
// still gets the right response.
var (
	ErrNotFound           = problem.New(http.StatusNotFound, "error.not_found", "user: not found")
	ErrInvalidCredentials = problem.New(http.StatusUnauthorized, "auth.invalid_credentials", "user: invalid credentials")
	ErrBanned             = problem.New(http.StatusForbidden, "auth.banned", "user: banned")
	ErrOwnRole            = problem.New(http.StatusConflict, "admin.own_role", "user: cannot change own role")
	// ErrSuspended comes With the end of the suspension and its reason (see
	// WriteError).
	ErrSuspended = problem.New(http.StatusForbidden, "member.suspended", "user: suspended")
)
