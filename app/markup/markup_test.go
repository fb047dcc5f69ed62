package markup_test

import (
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/markup"
)

func TestRender(t *testing.T) {
	r := markup.New()
	tests := []struct {
		name, src string
		want      []string // substrings that must appear
		never     []string // substrings that must not
	}{
		{"emphasis", "**bold** and *em*", []string{"<strong>bold</strong>", "<em>em</em>"}, nil},
		{"link rel", "[site](https://example.com)", []string{`href="https://example.com"`, `rel="nofollow ugc noopener"`}, nil},
		{"autolink", "see https://example.com/x", []string{`<a href="https://example.com/x"`}, nil},
		{"code class", "```go\nfmt.Println(1)\n```", []string{`<code class="language-go">`}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"task list", "- [x] done\n- [ ] open", []string{`type="checkbox"`, "checked"}, nil},
		{"raw script", "<script>window.__xss=1</script>", nil, []string{"<script", "__xss=1</"}},
		{"event handler", `<img src=x onerror="window.__xss=1">`, nil, []string{"onerror"}},
		{"javascript link", "[x](javascript:window.__xss=1)", nil, []string{"javascript:"}},
		{"mixed-case scheme", "[x](JaVaScRiPt:alert(1))", nil, []string{"JaVaScRiPt:", "javascript:"}},
		{"data uri", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:text/html"}},
		{"style attribute", `<p style="background:url(javascript:x)">x</p>`, nil, []string{"style="}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"bad code class", "```\" onmouseover=\"x\nx\n```", nil, []string{"onmouseover="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in %s", w, got)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(strings.ToLower(got), strings.ToLower(n)) {
					t.Errorf("found %q in %s", n, got)
				}
			}
		})
	}
}

func TestRenderCapsSize(t *testing.T) {
	got, err := markup.New().Render(strings.Repeat("a", 3*markup.MaxSource))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > markup.MaxSource+100 {
		t.Errorf("output of %d bytes for capped input", len(got))
	}
}
