// Package problem is the error type a domain package uses for a refusal a user may
// see: it carries the HTTP status and the i18n key of a message that is safe to
// show, apart from the internal message that goes to logs. The web error handler
// reads them, so a new domain package needs no edit there. Only the standard
// library belongs here: no Fiber, no rules, no translations.
package problem
