package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/thread"
)

// SitemapURLs is the most URLs one sitemap file lists: the protocol's limit.
// Deps.SitemapURLs may lower it (tests do, to get several files).
const SitemapURLs = 50_000

const (
	sitemapNS      = "http://www.sitemaps.org/schemas/sitemap/0.9"
	sitemapCaching = "public, max-age=3600" // crawlers fetch sitemaps hours apart; a proxy may keep them that long
	sitemapBatch   = 5000                   // threads read per query while a file streams
)

func (s *Server) sitemapURLs() int64 {
	if s.SitemapURLs > 0 && s.SitemapURLs < SitemapURLs {
		return int64(s.SitemapURLs)
	}
	return SitemapURLs
}

// sitemapIndex serves /sitemap.xml: the boards' file, then one file per run of
// thread ids that holds a public thread, each with its latest activity so that
// crawlers fetch only the files that changed. It is small and built whole,
// which makes its ETag a hash of what it says.
func (s *Server) sitemapIndex(c *fiber.Ctx) error {
	size := s.sitemapURLs()
	ranges, err := s.Threads.PublicRanges(c.UserContext(), size)
	if err != nil {
		return err
	}
	var latest time.Time
	for _, r := range ranges {
		latest = later(latest, r.LastActivityAt)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header + `<sitemapindex xmlns="` + sitemapNS + `">` + "\n")
	sitemapEntry(&b, "sitemap", s.Config.BaseURL+"/sitemap/boards.xml", latest)
	for _, r := range ranges {
		sitemapEntry(&b, "sitemap", s.Config.BaseURL+"/sitemap/threads-"+strconv.FormatInt(r.Through/size, 10)+".xml", r.LastActivityAt)
	}
	b.WriteString("</sitemapindex>\n")
	h := fnv.New64a()
	h.Write(b.Bytes())
	c.Set(fiber.HeaderETag, `W/"`+strconv.FormatUint(h.Sum64(), 36)+`"`)
	if !latest.IsZero() {
		c.Set(fiber.HeaderLastModified, latest.UTC().Format(http.TimeFormat))
	}
	return s.sendSitemap(c, b.Bytes())
}

// sitemapBoards serves /sitemap/boards.xml: the front page and every board with
// a thread a guest may read (boards have a role to post, none to read; an empty
// board's page has nothing to find).
func (s *Server) sitemapBoards(c *fiber.Ctx) error {
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return err
	}
	var b, rest bytes.Buffer
	var latest time.Time
	for _, bd := range boards {
		at, ok, err := s.Threads.LatestPublicActivity(c.UserContext(), bd.ID)
		if err != nil {
			return err
		}
		if ok {
			sitemapEntry(&rest, "url", s.Config.BaseURL+"/b/"+bd.Slug, at)
			latest = later(latest, at)
		}
	}
	b.WriteString(xml.Header + `<urlset xmlns="` + sitemapNS + `">` + "\n")
	sitemapEntry(&b, "url", s.Config.BaseURL+"/", latest)
	b.Write(rest.Bytes())
	b.WriteString("</urlset>\n")
	return s.sendSitemap(c, b.Bytes())
}

// sitemapThreads serves /sitemap/threads-<n>.xml: the public threads with ids
// in the n-th run, by their canonical address and last activity. Up to 50,000
// of them make some 6 MB of XML, so the file is streamed a keyset page at a
// time; the first page is read before the response starts, so that a file
// without threads is a 404 and a failing database a 500.
func (s *Server) sitemapThreads(c *fiber.Ctx) error {
	n, err := strconv.ParseInt(c.Params("n"), 10, 64)
	size := s.sitemapURLs()
	if err != nil || n < 1 || n > (1<<62)/size {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	after, through := (n-1)*size, n*size
	page, err := s.Threads.PublicThreads(ctx, after, through, sitemapBatch)
	if err != nil {
		return err
	}
	if len(page) == 0 {
		return fiber.ErrNotFound
	}
	gz := s.sitemapHeaders(c)
	base := escapeXML(s.Config.BaseURL)
	// The writer runs once the handler has returned, fed by fasthttp as the
	// client reads; it must not touch c, and it stops at the first error: the
	// status is sent by then, and a cut-off file is refetched later.
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		var w io.Writer = bw
		if gz {
			zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
			defer zw.Close()
			w = zw
		}
		buf := make([]byte, 0, 64<<10)
		buf = append(buf, xml.Header+`<urlset xmlns="`+sitemapNS+`">`+"\n"...)
		for {
			for _, t := range page {
				buf = appendThreadURL(buf, base, t)
			}
			if _, err := w.Write(buf); err != nil {
				return // the client went away
			}
			buf = buf[:0]
			if len(page) < sitemapBatch {
				break
			}
			if page, err = s.Threads.PublicThreads(ctx, page[len(page)-1].ID, through, sitemapBatch); err != nil {
				s.Log.Error("sitemap: cut short", "file", n, "err", err)
				return
			}
		}
		io.WriteString(w, "</urlset>\n")
	})
	return nil
}

func appendThreadURL(buf []byte, base string, t thread.PublicThread) []byte {
	buf = append(buf, "<url><loc>"...)
	buf = append(buf, base...)
	buf = append(buf, "/t/"...)
	buf = strconv.AppendInt(buf, t.ID, 10)
	buf = append(buf, '/')
	buf = append(buf, escapeXML(t.Slug)...) // slugs are [a-z0-9-], but rows are older than rules
	buf = append(buf, "</loc><lastmod>"...)
	buf = t.LastActivityAt.UTC().AppendFormat(buf, time.RFC3339)
	return append(buf, "</lastmod></url>\n"...)
}

// sitemapEntry writes a <url> or <sitemap> element; a zero lastmod is left out.
func sitemapEntry(b *bytes.Buffer, element, loc string, lastmod time.Time) {
	b.WriteString("<" + element + "><loc>" + escapeXML(loc) + "</loc>")
	if !lastmod.IsZero() {
		b.WriteString("<lastmod>" + lastmod.UTC().Format(time.RFC3339) + "</lastmod>")
	}
	b.WriteString("</" + element + ">\n")
}

// sendSitemap sends a sitemap built whole, gzipped for clients that take it,
// or 304 when the client's copy is current.
func (s *Server) sendSitemap(c *fiber.Ctx, body []byte) error {
	gz := s.sitemapHeaders(c)
	if c.Fresh() {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if !gz {
		return c.Send(body)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
	return c.Send(b.Bytes())
}

// sitemapHeaders sets a sitemap's headers and reports whether to gzip it.
func (s *Server) sitemapHeaders(c *fiber.Ctx) bool {
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, sitemapCaching)
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	gz := takesGzip(c)
	if gz {
		c.Set(fiber.HeaderContentEncoding, "gzip")
	}
	return gz
}

func escapeXML(s string) string {
	if plainXML(s) {
		return s // every slug: no copy per URL
	}
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// plainXML reports whether s is XML text as it is: valid UTF-8 without markup
// or control characters.
func plainXML(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			return false
		}
	}
	return utf8.ValidString(s)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
