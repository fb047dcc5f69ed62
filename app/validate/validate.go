// Package validate carries field-level problems from a domain service to whoever
// shows the form again: field name → i18n key. It holds no rules itself.
package validate

import (
	"errors"
	"sort"
	"strings"
	"unicode/utf8"
)

// Errors maps a form field to the i18n key of its first problem.
type Errors map[string]string

// Add records key for field unless the field already has a problem.
func (e Errors) Add(field, key string) {
	if _, ok := e[field]; !ok {
		e[field] = key
	}
}

// Err returns e as an error, or nil when there is no problem.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

func (e Errors) Error() string {
	parts := make([]string, 0, len(e))
	for f, k := range e {
		parts = append(parts, f+": "+k)
	}
	sort.Strings(parts)
	return "invalid input: " + strings.Join(parts, ", ")
}

// From returns the field problems inside err, if it carries any.
func From(err error) (Errors, bool) {
	var e Errors
	ok := errors.As(err, &e)
	return e, ok
}

// Cut returns s cut to at most n bytes, at a character boundary: what a form
// field holds past its limit is never worked on, stored or shown again.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
