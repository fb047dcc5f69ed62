package markup

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Version identifies the renderer's output. Bump it when the output changes, so that
// stored HTML can be found and re-rendered.
//
// 2: images only from /uploads/ and the allowed hosts; others become links.
// 3: @handle links to the member's profile.
const Version = 3

// MaxSource caps the markdown a renderer accepts; longer input is refused upstream
// and cut here as a last line of defence against pathological documents.
const MaxSource = 64 * 1024

// Renderer converts markdown to sanitized HTML. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// Option adjusts New.
type Option func(*options)

type options struct {
	imageHosts []string
}

// WithImageHosts lets posts show images from https URLs on these hosts ("host" or
// "host:port", matched exactly, ignoring case). Without it, posts show only images
// uploaded to this site.
func WithImageHosts(hosts ...string) Option {
	return func(o *options) {
		for _, h := range hosts {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				o.imageHosts = append(o.imageHosts, h)
			}
		}
	}
}

// New returns a Renderer with GitHub-flavoured markdown and the post policy.
func New(opts ...Option) *Renderer {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	allowed := imageRule{hosts: o.imageHosts}
	md := goldmark.New(
		// Raw HTML in the source is dropped by goldmark (no html.WithUnsafe);
		// bluemonday then checks everything goldmark itself produced.
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(imageFilter{allowed}, 100), util.Prioritized(mentionLinker{}, 200))),
	)
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnLinks(false)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+-]{1,30}$`)).OnElements("code")
	p.AllowAttrs("type", "checked", "disabled").OnElements("input")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AddSpaceWhenStrippingTag(true)
	// The second line of defence behind imageFilter: bluemonday cannot narrow the
	// img src its UGC policy allows, but it can blank it (an empty src loads nothing).
	p.RewriteSrc(func(u *url.URL) {
		if !allowed.ok(u) {
			*u = url.URL{}
		}
	})
	return &Renderer{md: md, policy: p}
}

// ErrFallback comes with the escaped plain text Render returns when the markdown
// engine panicked: the text is safe to store, and the panic worth a log line.
var ErrFallback = errors.New("markup: renderer panicked, plain text used")

// Render returns sanitized HTML for src. A panic inside the markdown engine is
// turned into escaped plain text (with ErrFallback), so a hostile post cannot take
// a request down.
func (r *Renderer) Render(src string) (out string, err error) {
	if len(src) > MaxSource {
		src = src[:MaxSource]
	}
	if err := checkBounds(src); err != nil {
		return "", err
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = "<p>"+html.EscapeString(src)+"</p>", fmt.Errorf("%w: %v", ErrFallback, p)
		}
	}()
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("markup: %w", err)
	}
	out = addUGCRel(r.policy.Sanitize(buf.String()))
	if len(out) > maxOutput {
		return "", ErrTooComplex
	}
	return out, nil
}

var relNofollow = regexp.MustCompile(`rel="nofollow"`)

// addUGCRel widens bluemonday's rel="nofollow" to the full set posts need.
func addUGCRel(s string) string {
	return relNofollow.ReplaceAllLiteralString(s, `rel="nofollow ugc noopener"`)
}

// imageRule decides which images a post may embed. Every embedded image is loaded
// by every reader's browser without a click, so it tells its host who read the
// post and when; only our own uploads and hosts the operator trusts qualify.
type imageRule struct {
	hosts []string
}

// uploadPath is the shape of app/upload's public URLs.
var uploadPath = regexp.MustCompile(`^/uploads/[0-9a-f]{64}\.(?:png|jpg|gif|webp)$`)

func (r imageRule) ok(u *url.URL) bool {
	if u.User != nil || u.Opaque != "" {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		return uploadPath.MatchString(u.Path) && u.RawPath == "" && u.RawQuery == "" && u.Fragment == ""
	}
	return u.Scheme == "https" && slices.Contains(r.hosts, strings.ToLower(u.Host))
}

// imageFilter turns images from other sources into plain links, so the reader sees
// the description and may follow it, but the browser fetches nothing by itself.
type imageFilter struct{ rule imageRule }

func (f imageFilter) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var refused []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			if u, err := url.Parse(string(img.Destination)); err != nil || !f.rule.ok(u) {
				refused = append(refused, img)
			}
		}
		return ast.WalkContinue, nil
	})
	// Outer images come first, so an image inside a refused one's description
	// already sits in a link when its turn comes.
	for _, img := range refused {
		demote(img)
	}
}

// demote replaces img with a link to its source whose text is its description
// (or the address, when it has none). Inside a link, where a link is not allowed,
// only the text stays.
func demote(img *ast.Image) {
	parent := img.Parent()
	if img.ChildCount() == 0 {
		img.AppendChild(img, ast.NewString(img.Destination))
	}
	if insideLink(img) {
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, img, c)
			c = next
		}
		parent.RemoveChild(parent, img)
		return
	}
	link := ast.NewLink()
	link.Destination, link.Title = img.Destination, img.Title
	for c := img.FirstChild(); c != nil; {
		next := c.NextSibling()
		link.AppendChild(link, c)
		c = next
	}
	parent.ReplaceChild(parent, img, link)
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.(type) {
		case *ast.Link, *ast.AutoLink:
			return true
		}
	}
	return false
}
