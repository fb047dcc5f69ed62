package markup

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// FuzzRender checks that no source, however hostile, gets past the renderer as
// something a browser runs or loads, and that the bounds keep the work linear.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"", "plain", "# title\n\n*em* **strong** `code`", "- [x] done\n- [ ] open",
		"| a | b |\n|---|---|\n| 1 | 2 |", "```go\nfmt.Println(1)\n```",
		"![pic](/uploads/" + strings.Repeat("ab", 32) + ".png)",
		"<script>window.__xss=1</script>",
		`<img src=x onerror="window.__xss=1">`,
		"<IMG SRC=x OnErRoR=window.__xss=1>",
		"[click me](JaVaScRiPt:window.__xss=1)",
		"[click me](&#106;avascript:window.__xss=1)",
		"[click me](java&#x09;script:window.__xss=1)",
		"![pic](javascript:window.__xss=1)",
		`![pic" onerror="window.__xss=1](x)`,
		`[x](http://example.com "\" onmouseover=\"window.__xss=1")`,
		"[ref link][1]\n\n[1]: javascript:window.__xss=1",
		"<javascript:window.__xss=1>",
		`<a href="data:text/html;base64,PHNjcmlwdD4=">data url</a>`,
		"<svg onload=window.__xss=1>",
		"<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
		`<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`,
		`<object data="javascript:window.__xss=1"></object>`,
		`<form action="javascript:x"><input type="text" onfocus=x autofocus></form>`,
		`<p style="background:url(javascript:x)">x</p>`,
		"```\" onmouseover=\"x\nx\n```",
		"[![img](javascript:x)](javascript:y)",
		"<div>\n```\n\n[x](javascript:x)",
	} {
		f.Add(s)
	}
	for _, h := range hostile {
		f.Add(h.src)
	}
	// Only a fuzzing run times its inputs: the seeds also run in every `go test`,
	// on CI machines loaded by parallel packages, where a wall-clock assertion
	// would flake. Even a fuzzing run stalls now and then (its own workers and GC
	// on two shared cores stopped a 15 µs render for 110 ms), so an input over
	// budget is rendered again and fails only if its fastest of three renders is
	// over too: noise does not repeat, work that grows faster than the source
	// does. The budget is generous (a 64 KB source gets 0.9 s, where a real post
	// renders in a few milliseconds and the shapes the bounds refuse cost a
	// microsecond).
	timed := flag.Lookup("test.fuzz").Value.String() != ""
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		out, err := r.Render(src)
		elapsed := time.Since(start)
		if errors.Is(err, ErrFallback) {
			t.Fatalf("the markdown engine panicked: %v", err)
		}
		if err != nil && !errors.Is(err, ErrTooComplex) {
			t.Fatalf("unexpected error %v", err)
		}
		if limit := 250*time.Millisecond + time.Duration(min(len(src), MaxSource))*10*time.Microsecond; timed && elapsed > limit {
			for range 2 {
				start = time.Now()
				_, _ = r.Render(src)
				elapsed = min(elapsed, time.Since(start))
			}
			if elapsed > limit {
				t.Fatalf("%d bytes took %v at best of three, budget %v", len(src), elapsed, limit)
			}
		}
		if len(out) > maxOutput {
			t.Fatalf("%d bytes of HTML, cap %d", len(out), maxOutput)
		}
		if msg := unsafeHTML(out); msg != "" {
			t.Fatalf("%s in %q", msg, out)
		}
	})
}

// unsafeHTML names the first element or attribute in s that the post policy must
// never let through, or returns "".
func unsafeHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		default:
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "form", "svg", "math", "frame", "base", "meta", "link":
			return "<" + tok.Data + ">"
		case "input":
			if attr(tok, "type") != "checkbox" || !hasAttr(tok, "disabled") {
				return "an input other than a disabled checkbox"
			}
		}
		for _, a := range tok.Attr {
			name := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(name, "on"):
				return "event attribute " + name
			case name == "style", name == "srcdoc", name == "formaction":
				return "attribute " + name
			case name == "href" || name == "src" || name == "action" || name == "data":
				if scheme(a.Val) != "" && !allowedScheme[scheme(a.Val)] {
					return name + " with scheme " + scheme(a.Val)
				}
			}
		}
	}
}

var allowedScheme = map[string]bool{"http": true, "https": true, "mailto": true}

// scheme returns the lower-cased scheme of u as a browser reads it: control
// characters and whitespace inside it are dropped, as browsers do.
func scheme(u string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(u) {
		switch {
		case r == ':':
			return strings.ToLower(b.String())
		case r == '/' || r == '?' || r == '#':
			return ""
		case r <= ' ':
			continue
		default:
			b.WriteRune(r)
		}
	}
	return ""
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(tok html.Token, key string) bool {
	for _, a := range tok.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
