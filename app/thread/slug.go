package thread

import (
	"strings"
	"unicode"
)

var transliterations = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "ae", "Ö", "oe", "Ü", "ue")

// Slugify makes the readable part of a thread URL: lower-case ASCII words joined by
// hyphens, at most 60 bytes, German umlauts spelt out.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(transliterations.Replace(title)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "thread"
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 60)], "-")
}
