package web

import (
	"html/template"
)

// Head is what a page tells search engines and link previews about itself.
//
// Every page names one canonical address: its path with only the query that
// defines what it shows, so that tracking parameters, old slugs and other
// spellings of the same page count as one. No page carries hreflang
// alternates: the interface language is the reader's preference, kept in a
// cookie and the profile, not in the address, so no page exists at two
// addresses in two languages; the posts are in the language they were
// written in, whatever the interface says.
type Head struct {
	// Canonical is the page's path and defining query; newPage sets the
	// path alone.
	Canonical string
	// Index lets search engines list the page. Only pages with public
	// content set it: a page someone forgot stays out of the index.
	Index       bool
	Description string
	Article     bool   // a thread: og:type article, else website
	Language    string // of the content, when it is not the interface's
	// StructuredData is JSON-LD from encoding/json, which escapes <, > and &,
	// so that nothing in it can end its script element.
	StructuredData template.JS

	base, logo string
}

// CanonicalURL is the absolute canonical address.
func (p Page) CanonicalURL() string { return p.Head.base + p.Head.Canonical }

// ImageURL is the link preview image, absolute.
func (p Page) ImageURL() string { return p.Head.logo }

// Description is the page's summary for search results and link previews.
func (p Page) Description() string {
	if p.Head.Description != "" {
		return p.Head.Description
	}
	return p.T("meta.description")
}

// OGType is the page's Open Graph type.
func (p Page) OGType() string {
	if p.Head.Article {
		return "article"
	}
	return "website"
}

// OGLocale is the Open Graph locale of the page's content.
func (p Page) OGLocale() string {
	lang := p.Head.Language
	if lang == "" {
		lang = p.Lang
	}
	switch lang {
	case "en":
		return "en_US"
	case "de":
		return "de_DE"
	}
	return lang
}
