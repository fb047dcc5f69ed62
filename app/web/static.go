package web

import (
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

type staticFile struct {
	body        []byte
	contentType string
}

// loadStatic reads every asset into memory once; there are few and they are small.
func loadStatic(fsys fs.FS) (map[string]staticFile, error) {
	files := map[string]staticFile{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		files[p] = staticFile{body: b, contentType: ct}
		return nil
	})
	return files, err
}

// serveStatic serves /static/<path>. Links carry ?v=<content hash>, so such
// requests may be cached for a year; others for an hour.
func (s *Server) serveStatic(c *fiber.Ctx) error {
	f, ok := s.static[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	if c.Query("v") != "" {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	return c.Send(f.body)
}
