package markup

import (
	"errors"
	"strings"
	"testing"
)

// hostile are sources whose rendering grew faster than their length before the
// bounds; each is refused now, in one linear pass.
var hostile = []struct{ name, src string }{
	{"unfinished links", strings.Repeat("[x](", 16384)},
	{"unfinished images", strings.Repeat("![x](", 13000)},
	{"empty unfinished links", strings.Repeat("[](", 20000)},
	{"unfinished links closed once at the end", strings.Repeat("[x](", 16000) + ")"},
	{"unfinished links with spaces", strings.Repeat("[x](a b ", 8000)},
	{"deep quote", strings.Repeat(">", 65536)},
	{"deep list", strings.Repeat("- ", 17) + "x"},
	{"deep numbered list", strings.Repeat("1. ", 17) + "x"},
	{"nested just below the bound on every line", strings.Repeat(strings.Repeat("- ", 16)+"a\n", 1800)},
	// Lines that look like a fence but are none for goldmark do not hide what follows.
	{"behind an indented fence", "    ```\n" + strings.Repeat("[](", 20000)},
	{"behind a fence closed by the other kind", "~~~\n```\n~~~\n" + strings.Repeat(">", 60000)},
	{"behind a fence in an HTML block", "<div>\n```\n\n" + strings.Repeat("[x](", 16000)},
}

func TestHostileMarkdownIsRefused(t *testing.T) {
	r := New()
	for _, h := range hostile {
		if out, err := r.Render(h.src); !errors.Is(err, ErrTooComplex) {
			t.Errorf("%s: %d bytes of HTML, %v; want ErrTooComplex", h.name, len(out), err)
		}
	}
}

func TestOrdinaryMarkdownIsWithinBounds(t *testing.T) {
	links := strings.Repeat("See [the guide](https://help.example/a) and ", 1400)
	long := strings.Repeat("- item\n  - sub item\n", 1000)
	code := "```\n" + strings.Repeat("if (a[i](x)) { b[j](y) }\n", 2000) + "```\n"
	for name, src := range map[string]string{
		"1,400 finished links":                 links,
		"2,000 list items two deep":            long,
		"a quote 16 deep":                      strings.Repeat("> ", 16) + "deep",
		"a list 16 deep":                       strings.Repeat("- ", 16) + "deep",
		"brackets and parentheses in code":     code,
		"a few unfinished links in prose":      strings.Repeat("a typo ](here and ", 60),
		"an unfinished link closed a line on":  "[x](http://a.example/very\nlong)",
		"parentheses before and after links":   strings.Repeat("(see [x](http://a.example/)) ", 2000),
		"numbers that look like list markers":  strings.Repeat("2026. The year.\n", 1000),
		"a quote of a list of a quote, nested": "> - > - > 1. deep enough",
	} {
		if _, err := New().Render(src); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// BenchmarkRenderHostile renders each source that used to be slow; refusing
// them is one pass over 64 KB.
func BenchmarkRenderHostile(b *testing.B) {
	r := New()
	for _, h := range hostile {
		b.Run(h.name, func(b *testing.B) {
			b.SetBytes(int64(len(h.src)))
			for b.Loop() {
				_, _ = r.Render(h.src)
			}
		})
	}
}
