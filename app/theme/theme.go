// Package theme parses a theme's templates once at start-up, each page with the
// layouts and partials into its own set, and fingerprints the static assets. It
// fails at start-up on a template error, never on a request.
package theme

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// Theme holds one parsed template set per page.
type Theme struct {
	pages  map[string]*template.Template
	assets map[string]string // path under static/ → short content hash
	bufs   sync.Pool
}

// Load parses the theme's pages and fingerprints every static file.
func Load(files *Files) (*Theme, error) {
	name, root, static := files.Name, files.Templates, files.Static
	t := &Theme{pages: map[string]*template.Template{}, assets: map[string]string{}}
	t.bufs.New = func() any { return new(bytes.Buffer) }
	err := fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		t.assets[p] = hex.EncodeToString(sum[:5])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("theme: static assets: %w", err)
	}
	funcs := template.FuncMap{
		"asset": t.assetURL,
		// hasAsset lets the layout link a theme's own stylesheet only when it has one.
		"hasAsset": func(p string) bool { _, ok := t.assets[p]; return ok },
		"isoTime":  func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) },
		"deref":    func(p *int64) int64 { return *p },
	}
	shared := []string{"layouts/*.html", "partials/*.html"}
	pages, err := fs.Glob(root, "pages/*.html")
	if err != nil || len(pages) == 0 {
		return nil, fmt.Errorf("theme %s: no pages (%v)", name, err)
	}
	for _, p := range pages {
		tmpl, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(root, append(shared, p)...)
		if err != nil {
			return nil, fmt.Errorf("theme %s: %w", name, err)
		}
		t.pages[strings.TrimSuffix(path.Base(p), ".html")] = tmpl
	}
	return t, nil
}

// Asset is the address of the static file p with its content hash, as the
// templates' asset function gives it: for a page's data that needs it whole,
// such as an absolute link preview image.
func (t *Theme) Asset(p string) (string, error) { return t.assetURL(p) }

func (t *Theme) assetURL(p string) (string, error) {
	v, ok := t.assets[p]
	if !ok {
		return "", fmt.Errorf("theme: no static asset %q", p)
	}
	return "/static/" + p + "?v=" + v, nil
}

// Pages lists the page names, sorted.
func (t *Theme) Pages() []string {
	names := make([]string, 0, len(t.pages))
	for n := range t.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Require fails unless every named page exists, so a missing template stops the
// server at start-up instead of failing a request.
func (t *Theme) Require(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, ok := t.pages[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("theme: missing pages: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Fragment executes the template name of page's set into w: a part of a page
// rendered on its own, such as one post of a thread, to be kept and reused.
func (t *Theme) Fragment(w io.Writer, page, name string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("theme: no page %q", page)
	}
	if err := tmpl.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("theme: render %s of %s: %w", name, page, err)
	}
	return nil
}

// Render executes page into w. The page is rendered into a buffer first, so a
// template error never sends half a page.
func (t *Theme) Render(w io.Writer, page string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("theme: no page %q", page)
	}
	buf := t.bufs.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); t.bufs.Put(buf) }()
	if err := tmpl.ExecuteTemplate(buf, "base", data); err != nil {
		return fmt.Errorf("theme: render %s: %w", page, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
