package problem

import "errors"

// Error is a refusal with its own response. The fields are unexported because
// errors made with New are package-level sentinels: no caller may change what
// another package's error answers.
type Error struct {
	status int
	key    string
	msg    string
}

// New returns an Error answered with status (a net/http constant) and the message
// at i18n key. msg is the internal text, prefixed with the package name like any
// other error. Each call makes a distinct error, so errors.Is tells sentinels apart
// even when they share status and key.
func New(status int, key, msg string) *Error {
	return &Error{status: status, key: key, msg: msg}
}

// Error returns the internal message; users see the text at Key.
func (e *Error) Error() string { return e.msg }

// Status returns the HTTP status of the response.
func (e *Error) Status() int { return e.status }

// Key returns the i18n key of the message shown to the user.
func (e *Error) Key() string { return e.key }

// With returns e with args for its message: the values of the message's %s and
// %d, in order. errors.Is still finds e.
func (e *Error) With(args ...any) error { return &withArgs{err: e, args: args} }

type withArgs struct {
	err  *Error
	args []any
}

func (w *withArgs) Error() string { return w.err.Error() }
func (w *withArgs) Unwrap() error { return w.err }

// Args returns the message's values that err carries (see With), or nil.
func Args(err error) []any {
	if w, ok := errors.AsType[*withArgs](err); ok {
		return w.args
	}
	return nil
}
