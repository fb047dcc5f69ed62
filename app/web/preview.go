package web

import (
	"github.com/gofiber/fiber/v2"
)

// preview renders markdown for the live preview of the editors, exactly as saving
// would. The answer is sanitized HTML, for the script to put into the page.
func (s *Server) preview(c *fiber.Ctx) error {
	html, err := s.Threads.Preview(c.FormValue("body"))
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.SendString(string(html))
}

// tagSuggest answers the tag field's autocomplete with the most used matching tags.
func (s *Server) tagSuggest(c *fiber.Ctx) error {
	tags, err := s.Threads.SuggestTags(c.UserContext(), c.Query("q"), 8)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		names = append(names, t.Name)
	}
	return c.JSON(names)
}
