package i18n_test

import (
	"io/fs"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/i18n"
	"github.com/schwarm/schwarm/locales"
	"github.com/schwarm/schwarm/themes"
)

func load(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Load(locales.FS, "en")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEveryLanguageHasEveryKey(t *testing.T) {
	b := load(t)
	if diff := cmp.Diff([]string{"en", "de"}, b.Languages()); diff != "" {
		t.Fatalf("languages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(b.Keys("en"), b.Keys("de")); diff != "" {
		t.Errorf("en and de keys differ (-en +de):\n%s", diff)
	}
}

// TestTemplatesUseKnownKeys finds every literal key a template translates.
func TestTemplatesUseKnownKeys(t *testing.T) {
	b := load(t)
	keys := map[string]bool{}
	for _, k := range b.Keys("en") {
		keys[k] = true
	}
	call := regexp.MustCompile(`\.T "([^"]+)"`)
	counted := regexp.MustCompile(`\.TN "([^"]+)"`)
	found := 0
	err := fs.WalkDir(themes.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(themes.FS, p)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllSubmatch(src, -1) {
			found++
			if !keys[string(m[1])] {
				t.Errorf("%s: unknown key %q", p, m[1])
			}
		}
		for _, m := range counted.FindAllSubmatch(src, -1) {
			found++
			for _, form := range []string{".one", ".other"} {
				if !keys[string(m[1])+form] {
					t.Errorf("%s: unknown key %q", p, string(m[1])+form)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Errorf("found only %d translated strings in templates; is the pattern still right?", found)
	}
}

func TestMatch(t *testing.T) {
	b := load(t)
	tests := []struct{ header, want string }{
		{"", "en"},
		{"de-DE,de;q=0.9,en;q=0.8", "de"},
		{"de-CH", "de"},
		{"en-GB,en;q=0.9", "en"},
		{"fr-FR,fr;q=0.9", "en"},
		{"fr-FR,de;q=0.5", "de"},
		{"*", "en"},
		{";;;garbage", "en"},
	}
	for _, tt := range tests {
		if got := b.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestTranslateFallsBack(t *testing.T) {
	fsys := fstest.MapFS{
		"en.json": {Data: []byte(`{"a": "A %d", "b": "B"}`)},
		"de.json": {Data: []byte(`{"a": "Ä %d"}`)},
	}
	b, err := i18n.Load(fsys, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lang, key, want string }{
		{"de", "a", "Ä 3"}, {"de", "b", "B"}, {"de", "missing", "missing"}, {"xx", "a", "A 3"},
	} {
		if got := b.Translate(tt.lang, tt.key, 3); tt.key == "a" && got != tt.want {
			t.Errorf("Translate(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
		} else if tt.key != "a" && b.Translate(tt.lang, tt.key) != tt.want {
			t.Errorf("Translate(%s, %s) = %q, want %q", tt.lang, tt.key, b.Translate(tt.lang, tt.key), tt.want)
		}
	}
	if _, err := i18n.Load(fsys, "fr"); err == nil {
		t.Error("a default language without a file must be refused")
	}
	if _, err := i18n.Load(fstest.MapFS{"en.json": {Data: []byte(`{`)}}, "en"); err == nil {
		t.Error("broken JSON must be refused")
	}
}
