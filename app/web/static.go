package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

type staticFile struct {
	body        []byte
	gzipped     []byte // body compressed once at start, for text; nil when it does not pay
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
		files[p] = staticFile{body: b, gzipped: compressed(b, ct), contentType: ct}
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
	if f.gzipped != nil {
		c.Vary(fiber.HeaderAcceptEncoding)
		if takesGzip(c) {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			return c.Send(f.gzipped)
		}
	}
	return c.Send(f.body)
}

// compressed is b gzipped, for text types (stylesheets, scripts, SVG), when
// that saves a tenth or more; images are compressed already.
func compressed(b []byte, contentType string) []byte {
	if !strings.HasPrefix(contentType, "text/") && !strings.Contains(contentType, "javascript") && !strings.Contains(contentType, "svg") {
		return nil
	}
	var z bytes.Buffer
	w, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return nil
	}
	w.Write(b)
	if w.Close() != nil || z.Len() > len(b)*9/10 {
		return nil
	}
	return z.Bytes()
}

// takesGzip reports whether the client accepts a gzipped body. Fiber offers
// the first encoding when the header is missing: a client that names none gets
// none.
func takesGzip(c *fiber.Ctx) bool {
	return c.Get(fiber.HeaderAcceptEncoding) != "" && c.AcceptsEncodings("gzip") == "gzip"
}
