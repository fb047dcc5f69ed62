// Package web is the HTTP face of Schwarm and the only package that imports Fiber.
// Every route is listed in routes.go; a handler parses its input, calls one service
// method, and renders a typed page or redirects. Errors go back to the one error
// handler in errors.go. Business rules and SQL do not belong here.
package web
