package thread_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/thread"
)

var slugShape = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// FuzzSlugify checks the readable part of a thread URL made from any title:
// lower-case ASCII words joined by single hyphens, at most 60 bytes, and a slug
// is its own slug.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"", "Router keeps dropping the connection", "Rückruf wegen Rechnung", "ÄÖÜ ß", "---", "a--b",
		"<script>alert(1)</script>", "../../etc/passwd", "İstanbul K (Kelvin)", "日本語のタイトル", "\x00\xff",
		strings.Repeat("abc ", 40), strings.Repeat("a", 59) + " b", strings.Repeat("ö", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		slug := thread.Slugify(title)
		if !slugShape.MatchString(slug) || len(slug) > 60 {
			t.Fatalf("Slugify(%q) = %q", title, slug)
		}
		if again := thread.Slugify(slug); again != slug {
			t.Fatalf("Slugify(%q) = %q, but Slugify(%q) = %q", title, slug, slug, again)
		}
	})
}

// FuzzParseTags checks tags parsed from any input: at most MaxTags, each unique,
// lower-case and of the tag shape, or an error key and no tags.
func FuzzParseTags(f *testing.F) {
	for _, s := range []string{"", "wifi, router", "#wifi #WiFi", "a;b c,,d", "<b>x</b>", "a,b,c,d,e,f,g,h,i,j,k",
		"tag-with-dash", "ünïcode", "javascript:alert(1)", strings.Repeat("x", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tags, key := thread.ParseTags(in)
		if key != "" {
			if tags != nil {
				t.Fatalf("ParseTags(%q) = %q with error %s", in, tags, key)
			}
			return
		}
		if len(tags) > thread.MaxTags {
			t.Fatalf("ParseTags(%q): %d tags, cap %d", in, len(tags), thread.MaxTags)
		}
		for i, tag := range tags {
			if tag == "" || tag != strings.ToLower(tag) || strings.ContainsAny(tag, ",; ") || slices.Contains(tags[:i], tag) {
				t.Fatalf("ParseTags(%q) = %q", in, tags)
			}
		}
		// Tags joined as the form shows them parse to themselves.
		if again, key := thread.ParseTags(strings.Join(tags, ", ")); key != "" || !slices.Equal(again, tags) {
			t.Fatalf("ParseTags(%q) = %q, but its join parses to %q, %q", in, tags, again, key)
		}
	})
}
