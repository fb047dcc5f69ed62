package user

import "errors"

// Errors of this package. User-facing text lives in the locales under the keys the
// web layer maps these to; field problems come as validate.Errors.
var (
	ErrNotFound           = errors.New("user: not found")
	ErrInvalidCredentials = errors.New("user: invalid credentials")
	ErrBanned             = errors.New("user: banned")
	ErrOwnRole            = errors.New("user: cannot change own role")
)
