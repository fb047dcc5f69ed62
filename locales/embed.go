// Package locales embeds the message files, one <lang>.json per language with the
// same keys in each (a test enforces it).
package locales

import "embed"

// FS holds en.json, de.json, ….
//
//go:embed *.json
var FS embed.FS
