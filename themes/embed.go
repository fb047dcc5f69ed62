// Package themes embeds the themes: default holds every template
// (themes/default/{layouts,partials,pages,mail}); another theme holds only the
// files it changes (see README.md).
// A page template defines "title" and "content"; layouts/base.html frames it.
package themes

import "embed"

// FS holds every theme directory.
//
//go:embed default harbour
var FS embed.FS
