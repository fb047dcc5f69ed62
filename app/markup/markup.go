package markup

import (
	"bytes"
	"fmt"
	"html"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Version identifies the renderer's output. Bump it when the output changes, so that
// stored HTML can be found and re-rendered.
const Version = 1

// MaxSource caps the markdown a renderer accepts; longer input is refused upstream
// and cut here as a last line of defence against pathological documents.
const MaxSource = 64 * 1024

// Renderer converts markdown to sanitized HTML. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer with GitHub-flavoured markdown and the post policy.
func New() *Renderer {
	md := goldmark.New(
		// Raw HTML in the source is dropped by goldmark (no html.WithUnsafe);
		// bluemonday then checks everything goldmark itself produced.
		goldmark.WithExtensions(extension.GFM),
	)
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnLinks(false)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]{1,30}$`)).OnElements("code")
	p.AllowAttrs("type", "checked", "disabled").OnElements("input")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AddSpaceWhenStrippingTag(true)
	return &Renderer{md: md, policy: p}
}

// Render returns sanitized HTML for src. A panic inside the markdown engine is
// turned into escaped plain text, so a hostile post cannot take a request down.
func (r *Renderer) Render(src string) (out string, err error) {
	if len(src) > MaxSource {
		src = src[:MaxSource]
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = "<p>"+html.EscapeString(src)+"</p>", fmt.Errorf("markup: renderer panic: %v", p)
		}
	}()
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("markup: %w", err)
	}
	return addUGCRel(r.policy.Sanitize(buf.String())), nil
}

var relNofollow = regexp.MustCompile(`rel="nofollow"`)

// addUGCRel widens bluemonday's rel="nofollow" to the full set posts need.
func addUGCRel(s string) string {
	return relNofollow.ReplaceAllLiteralString(s, `rel="nofollow ugc noopener"`)
}
