package problem

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
