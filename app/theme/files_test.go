package theme_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/schwarm/schwarm/app/theme"
	"github.com/schwarm/schwarm/static"
	"github.com/schwarm/schwarm/themes"
)

func TestOpenLaysAThemeOverTheDefault(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"static/css/theme.css": ":root { --color-brand: #123456; }",
		"partials/footer.html": `{{define "footer"}}<footer class="acme">ACME</footer>{{end}}`,
		"static/img/logo.svg":  `<svg xmlns="http://www.w3.org/2000/svg"/>`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		setting, wantCSS string
		wantFooter       string
	}{
		{"", "", "site-footer"},
		{"default", "", "site-footer"},
		{"harbour", "--color-brand: #1d4f91", "site-footer"},
		{dir, "--color-brand: #123456", `class="acme"`},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			files, err := theme.Open(themes.FS, static.FS, tt.setting)
			if err != nil {
				t.Fatal(err)
			}
			css, err := fs.ReadFile(files.Static, "css/theme.css")
			if tt.wantCSS == "" {
				if err == nil {
					t.Errorf("the default theme has a theme.css: %q", css)
				}
			} else if !strings.Contains(string(css), tt.wantCSS) {
				t.Errorf("theme.css = %q (%v), want %q", css, err, tt.wantCSS)
			}
			if _, err := fs.ReadFile(files.Static, "css/app.css"); err != nil {
				t.Errorf("app.css is not taken from the default: %v", err)
			}
			th, err := theme.Load(files)
			if err != nil {
				t.Fatal(err)
			}
			if err := th.Require("home", "thread_show", "user_show"); err != nil {
				t.Errorf("pages of the default are missing: %v", err)
			}
			if footer, err := fs.ReadFile(files.Templates, "partials/footer.html"); !strings.Contains(string(footer), tt.wantFooter) {
				t.Errorf("footer = %q (%v), want %q", footer, err, tt.wantFooter)
			}
			if _, err := theme.LoadMails(files); err != nil {
				t.Errorf("mails: %v", err)
			}
		})
	}
}

func TestOpenRefusesAThemeThatIsNotThere(t *testing.T) {
	for _, setting := range []string{"nosuch", "../default", "/nonexistent/theme"} {
		if _, err := theme.Open(themes.FS, static.FS, setting); err == nil {
			t.Errorf("Open(%q) = nil error, want one", setting)
		}
	}
}

func TestOverlayListsBothLayers(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "pages"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"pages/a.html": "top a", "pages/c.html": "c"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := theme.Open(fstest.MapFS{
		"default/pages/a.html":      {Data: []byte("base a")},
		"default/pages/b.html":      {Data: []byte("b")},
		"default/layouts/base.html": {Data: []byte("l")},
	}, fstest.MapFS{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs.Glob(files.Templates, "pages/*.html")
	if err != nil || strings.Join(got, ",") != "pages/a.html,pages/b.html,pages/c.html" {
		t.Errorf("Glob = %v (%v)", got, err)
	}
	if b, _ := fs.ReadFile(files.Templates, "pages/a.html"); string(b) != "top a" {
		t.Errorf("pages/a.html = %q, want the theme's", b)
	}
	if err := fstest.TestFS(files.Templates, "pages/a.html", "pages/b.html", "pages/c.html", "layouts/base.html"); err != nil {
		t.Error(err)
	}
}
