package markup

import (
	"strings"

	"golang.org/x/net/html"
)

// PlainText is the text of rendered post HTML, the words of its elements
// joined by single spaces, at most n runes, cut at a word with "…": what
// structured data and link previews show, where markup would be read as
// literal text.
func PlainText(rendered string, n int) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(rendered))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return cut(strings.Join(strings.Fields(b.String()), " "), n)
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			// Block elements and line breaks part words that the markup
			// only set apart visually: "<p>a</p><p>b</p>" is "a b".
			if name, _ := z.TagName(); !isInline(string(name)) {
				b.WriteByte(' ')
			}
		}
		if b.Len() > 8*n { // enough for n runes of words, however spaced
			return cut(strings.Join(strings.Fields(b.String()), " "), n)
		}
	}
}

// isInline reports whether the sanitizer's element name sits inside a line.
func isInline(name string) bool {
	switch name {
	case "a", "abbr", "b", "code", "del", "em", "i", "ins", "kbd", "mark", "s", "small", "span", "strong", "sub", "sup":
		return true
	}
	return false
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	s = string(r[:n])
	if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:.") + "…"
}
