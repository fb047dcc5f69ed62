// Package themes embeds the HTML templates: themes/<name>/{layouts,partials,pages}.
// A page template defines "title" and "content"; layouts/base.html frames it.
package themes

import "embed"

// FS holds every theme directory.
//
//go:embed default
var FS embed.FS
