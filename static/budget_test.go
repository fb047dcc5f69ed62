package static_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"path"
	"testing"

	"github.com/schwarm/schwarm/static"
)

// The budget for a page's own weight: every stylesheet and script
// together under 50 KB as served compressed, and no web fonts to block the
// first paint.
func TestStylesAndScriptsStayInTheirBudget(t *testing.T) {
	const budget = 50 << 10
	var total int
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(p) {
		case ".woff", ".woff2", ".ttf", ".otf", ".eot":
			t.Errorf("%s: a web font; the stylesheet uses the system's fonts", p)
		case ".css", ".js":
			b, err := fs.ReadFile(static.FS, p)
			if err != nil {
				return err
			}
			var z bytes.Buffer
			w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			w.Write(b)
			w.Close()
			t.Logf("%s: %d bytes, %d compressed", p, len(b), z.Len())
			total += z.Len()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > budget {
		t.Errorf("stylesheets and scripts are %d bytes compressed, over the budget of %d", total, budget)
	}
}
