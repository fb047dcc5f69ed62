package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// robotsDisallowed are the paths crawlers are kept out of: searches and
// suggestions (endless, and the threads they find are in the sitemap), the
// ask page, staff and settings pages, sign-in and the other forms, and the
// machinery. A test checks that every page of the router is either here or
// a page meant to be found.
var robotsDisallowed = []string{
	"/search", "/suggest", "/tags/suggest", "/users/suggest",
	"/ask", "/mod/", "/admin/", "/settings/", "/notifications",
	"/login", "/logout", "/signup", "/password/", "/verify", "/auth/", "/language", "/unsubscribe/",
	"/p/", // editing and earlier versions of posts; the thread page shows them
	"/preview", "/watch", "/unwatch", "/healthz", "/readyz",
}

// robots serves /robots.txt: every crawler may read the forum but for
// robotsDisallowed, and finds its threads through the sitemap.
func (s *Server) robots(c *fiber.Ctx) error {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range robotsDisallowed {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("\nSitemap: " + s.Config.BaseURL + "/sitemap.xml\n")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Type("txt", "utf-8")
	return c.SendString(b.String())
}
