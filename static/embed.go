// Package static embeds the browser assets (css, js, img) served under /static/.
// Templates link them through the theme's asset function, which appends a content
// hash so that they can be cached for a year.
package static

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
