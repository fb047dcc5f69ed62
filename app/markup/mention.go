package markup

import (
	"regexp"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// mentionText finds @handle in a text node where a handle may begin; the
// handle is what app/user accepts, and app/notify finds the same ones.
var mentionText = regexp.MustCompile(`(?:^|[^\w@/.-])(@[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9_])`)

// mentionLinker turns @handle in text into a link to the member's profile. Code
// and links are left alone: a handle there is an example or part of an address.
type mentionLinker struct{}

func (mentionLinker) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.CodeSpan, *ast.CodeBlock, *ast.FencedCodeBlock, *ast.Link, *ast.AutoLink, *ast.Image, *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if !n.IsRaw() {
				texts = append(texts, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		if t.Parent() != nil { // not merged into the one before
			linkMentions(joinText(t), src)
		}
	}
}

// joinText merges into t the text nodes right after it that continue its
// source: the parser cuts text at characters that might open emphasis, such
// as the _ of a handle.
func joinText(t *ast.Text) *ast.Text {
	for {
		next, ok := t.NextSibling().(*ast.Text)
		if !ok || next.IsRaw() || t.SoftLineBreak() || t.HardLineBreak() || next.Segment.Start != t.Segment.Stop {
			return t
		}
		t.Segment = t.Segment.WithStop(next.Segment.Stop)
		t.SetSoftLineBreak(next.SoftLineBreak())
		t.SetHardLineBreak(next.HardLineBreak())
		next.Parent().RemoveChild(next.Parent(), next)
	}
}

// linkMentions splits t around its mentions, each into a link.
func linkMentions(t *ast.Text, src []byte) {
	seg := t.Segment
	found := mentionText.FindAllSubmatchIndex(seg.Value(src), -1)
	if len(found) == 0 {
		return
	}
	parent := t.Parent()
	at := seg.Start
	for _, m := range found {
		start, stop := seg.Start+m[2], seg.Start+m[3]
		if start > at {
			parent.InsertBefore(parent, t, ast.NewTextSegment(text.NewSegment(at, start)))
		}
		link := ast.NewLink()
		link.Destination = append([]byte("/u/"), src[start+1:stop]...)
		link.SetAttributeString("class", []byte("mention"))
		link.AppendChild(link, ast.NewTextSegment(text.NewSegment(start, stop)))
		parent.InsertBefore(parent, t, link)
		at = stop
	}
	// What follows the last mention stays in t, with its line break.
	t.Segment = text.NewSegment(at, seg.Stop)
}
