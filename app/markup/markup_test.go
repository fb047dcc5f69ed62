// The tests sit inside the package so that they can reach the sanitizer policy
// behind the markdown engine directly.
package markup

import (
	"strings"
	"testing"
)

type renderCase struct {
	name, src string
	want      []string // substrings that must appear
	never     []string // substrings that must not
}

func runRender(t *testing.T, r *Renderer, tests []renderCase) {
	t.Helper()
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

func TestRender(t *testing.T) {
	runRender(t, New(), []renderCase{
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
	})
}

var sha = strings.Repeat("0123456789abcdef", 4)

func TestImages(t *testing.T) {
	up := "/uploads/" + sha + ".png"
	// Without options only uploads to this site are shown as images.
	t.Run("no hosts", func(t *testing.T) {
		runRender(t, New(), []renderCase{
			{"upload", "![screenshot](" + up + ")", []string{`<img src="` + up + `" alt="screenshot"`}, nil},
			{"https elsewhere", "![chart](https://i.example.net/c.png)", []string{`<a href="https://i.example.net/c.png" rel="nofollow ugc noopener">chart</a>`}, []string{"<img"}},
		})
	})
	r := New(WithImageHosts("i.example.net", " IMG.Example.org ", ""))
	runRender(t, r, []renderCase{
		{"upload", "![](" + up + ")", []string{`<img src="` + up + `"`}, nil},
		{"upload jpg, gif, webp", "![](/uploads/" + sha + ".jpg) ![](/uploads/" + sha + ".gif) ![](/uploads/" + sha + ".webp)", []string{".jpg\"", ".gif\"", ".webp\""}, []string{"<a "}},
		{"allowed host", "![chart](https://i.example.net/c.png)", []string{`<img src="https://i.example.net/c.png" alt="chart"`}, nil},
		{"allowed host, any case", "![](https://I.EXAMPLE.NET/c.png) ![](https://img.example.org/x.jpg?s=2)", []string{`<img src="https://I.EXAMPLE.NET/c.png"`, `<img src="https://img.example.org/x.jpg?s=2"`}, nil},
		{"allowed host with title", `![c](https://i.example.net/c.png "Chart")`, []string{`title="Chart"`, "<img"}, nil},
		{"reference image", "![c][r]\n\n[r]: https://i.example.net/c.png", []string{`<img src="https://i.example.net/c.png"`}, nil},
		{"allowed image in a link", "[![c](https://i.example.net/c.png)](https://example.com)", []string{`<a href="https://example.com" rel="nofollow ugc noopener"><img src="https://i.example.net/c.png"`}, nil},

		{"other host becomes a link", "![tracking pixel](https://evil.example/p.gif)", []string{`<a href="https://evil.example/p.gif" rel="nofollow ugc noopener">tracking pixel</a>`}, []string{"<img"}},
		{"empty description shows the address", "![](https://evil.example/p.gif)", []string{`<a href="https://evil.example/p.gif" rel="nofollow ugc noopener">https://evil.example/p.gif</a>`}, []string{"<img"}},
		{"title kept on the link", `![p](https://evil.example/p.gif "Hi")`, []string{`title="Hi"`, ">p</a>"}, []string{"<img"}},
		{"http on an allowed host", "![c](http://i.example.net/c.png)", []string{`<a href="http://i.example.net/c.png"`}, []string{"<img"}},
		{"user info", "![c](https://i.example.net@evil.example/c.png)", nil, []string{"<img"}},
		{"port", "![c](https://i.example.net:8443/c.png)", nil, []string{"<img"}},
		{"subdomain", "![c](https://x.i.example.net/c.png)", nil, []string{"<img"}},
		{"suffix", "![c](https://i.example.net.evil.example/c.png)", nil, []string{"<img"}},
		{"backslash", `![c](https://i.example.net\@evil.example/c.png)`, nil, []string{"<img"}},
		{"protocol-relative", "![c](//i.example.net/c.png)", nil, []string{"<img"}},
		{"relative outside uploads", "![c](/static/logo.png)", nil, []string{"<img"}},
		{"relative path", "![c](uploads/" + sha + ".png)", nil, []string{"<img"}},
		{"upload traversal", "![c](/uploads/../admin/users)", nil, []string{"<img"}},
		{"upload encoded traversal", "![c](/uploads/%2e%2e%2fadmin)", nil, []string{"<img"}},
		{"upload with a query", "![c](" + up + "?x=1)", nil, []string{"<img"}},
		{"upload svg", "![c](/uploads/" + sha + ".svg)", nil, []string{"<img"}},
		{"javascript image", "![c](javascript:alert(1))", nil, []string{"<img", "javascript:"}},
		{"data image", "![c](data:image/png;base64,iVBORw0KGgo=)", nil, []string{"<img", "data:"}},
		{"refused reference image", "![c][r]\n\n[r]: https://evil.example/c.png", []string{`<a href="https://evil.example/c.png"`}, []string{"<img"}},
		{"refused image in a link", "[![c](https://evil.example/c.png)](https://example.com)", []string{`<a href="https://example.com" rel="nofollow ugc noopener">c</a>`}, []string{"<img", "evil.example", "<a href=\"https://example.com\" rel=\"nofollow ugc noopener\"><a"}},
		{"refused image in a refused image", "![![in](https://evil.example/in.png)](https://evil.example/out.png)", []string{`<a href="https://evil.example/out.png" rel="nofollow ugc noopener">in</a>`}, []string{"<img", "in.png"}},
		{"raw img tag", `<img src="https://i.example.net/c.png">`, nil, []string{"<img"}},
	})
}

// TestPolicyBlanksForeignImages checks the sanitizer's own guard, for HTML that
// reaches it without passing the image filter.
func TestPolicyBlanksForeignImages(t *testing.T) {
	r := New(WithImageHosts("i.example.net"))
	for _, tt := range []struct{ in, want string }{
		{`<img src="https://evil.example/p.gif" alt="p">`, `<img src="" alt="p">`},
		{`<img src="//i.example.net/c.png">`, `<img src="">`},
		{`<img src="/uploads/../x">`, `<img src="">`},
		{`<img src="https://i.example.net/c.png">`, `<img src="https://i.example.net/c.png">`},
		{`<img src="/uploads/` + sha + `.png">`, `<img src="/uploads/` + sha + `.png">`},
	} {
		if got := r.policy.Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestRenderCapsSize(t *testing.T) {
	got, err := New().Render(strings.Repeat("a", 3*MaxSource))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > MaxSource+100 {
		t.Errorf("output of %d bytes for capped input", len(got))
	}
}

func TestMentionsLinkToProfiles(t *testing.T) {
	r := New()
	for _, c := range []struct{ src, want string }{
		{"Ask @ben, please.", `<p>Ask <a href="/u/ben" class="mention" rel="nofollow ugc noopener">@ben</a>, please.</p>`},
		{"@anna_k.\nnext", `<p><a href="/u/anna_k" class="mention" rel="nofollow ugc noopener">@anna_k</a>.` + "\n" + `next</p>`},
		{"mail anna@example.com", `<p>mail <a href="mailto:anna@example.com" rel="nofollow ugc noopener">anna@example.com</a></p>`},
		{"`@ben` and [@ben](https://example.com)", `<p><code>@ben</code> and <a href="https://example.com" rel="nofollow ugc noopener">@ben</a></p>`},
		{"@ab is short", `<p>@ab is short</p>`},
	} {
		got, err := r.Render(c.src)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(got) != c.want {
			t.Errorf("Render(%q)\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}
