// Package i18n loads the locale files (locales/*.json, one flat key → text map per
// language) and picks a visitor's language. Every string a user sees goes through
// it; message text never lives in Go code.
package i18n
