package web

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/upload"
)

// uploadShow serves a stored image by its public name. The name is the content's
// hash, so the response never changes and may be cached for good.
func (s *Server) uploadShow(c *fiber.Ctx) error {
	name := c.Params("name")
	f, err := s.Uploads.Open(c.UserContext(), name)
	if err != nil { // upload.ErrNotFound is a 404 of its own
		return err
	}
	return sendUpload(c, f, name, "public, max-age=31536000, immutable")
}

// sendUpload sends a stored image with the headers that keep a browser from
// treating it as anything but an image of its checked type, even when someone
// opens it directly: no sniffing, no scripts, a sandbox.
func sendUpload(c *fiber.Ctx, f *upload.File, etag, caching string) error {
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderContentDisposition, "inline")
	c.Set(fiber.HeaderCacheControl, caching)
	c.Set(fiber.HeaderETag, `"`+etag+`"`)
	c.Set(fiber.HeaderLastModified, f.ModTime.UTC().Format(http.TimeFormat))
	if c.Fresh() {
		f.Close()
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.SendStream(f, int(f.Size)) // fasthttp closes f once it is sent
}
