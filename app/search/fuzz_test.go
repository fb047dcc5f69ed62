package search_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/search"
)

// queries are real searches and text people type to break them.
var queries = []string{
	"", "router", "routers dropped connections", "Rückruf rechnung", "Routerpasswort", "Swizterland roaming",
	"title:x AND -y", "*", "~", `"unbalanced`, "((", "'; DROP TABLE threads; --", "<script>alert(1)</script>",
	"a~2 b^10 +c -d", "ÄÖÜß İı ǅ ﬁ", "\x00\xff\xfe", strings.Repeat("a ", 300), strings.Repeat("Donaudampfschiff", 40),
}

// FuzzWords checks that user text becomes bounded plain words, never syntax.
func FuzzWords(f *testing.F) {
	for _, q := range queries {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, text string) {
		words := search.Words(text)
		if len(words) > 64 {
			t.Fatalf("%d words, cap 64", len(words))
		}
		n := 0
		for _, w := range words {
			n += len(w)
			if w == "" || !utf8.ValidString(w) {
				t.Fatalf("word %q", w)
			}
			for _, r := range w {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("word %q holds %q", w, r)
				}
			}
		}
		if n > 500 {
			t.Fatalf("%d bytes of words from %d bytes of text, cap 500", n, len(text))
		}
	})
}

// FuzzSearch runs any text with any filters against a small real index, as /search
// and /suggest do: no error, no panic, no more hits than asked for.
func FuzzSearch(f *testing.F) {
	for _, q := range queries {
		f.Add(q, "", "", false, false, 0, 10)
	}
	f.Add("router", "wifi", "en", true, true, 5, 1)
	f.Add("Lüfter", "", "de", false, true, 1000, 50)
	e := setup(f)
	e.ask(f, "Router keeps dropping the connection", "Every evening my wifi connection drops.", "en")
	e.ask(f, "Rückruf wegen Rechnung angefordert", "Wann ruft mich jemand zurück?", "de")
	e.ask(f, "Lüfter dreht hoch", "Die CPU wird dabei sehr heiß.", "de")
	ix, _ := e.open(f)
	f.Cleanup(func() { ix.Close() })
	f.Fuzz(func(t *testing.T, text, tag, lang string, solved, hidden bool, from, size int) {
		// The handlers clamp these before they reach the index.
		from, size = min(max(from, 0), search.MaxFrom), min(max(size, 1), 50)
		q := search.Query{Text: text, BoardID: e.board.ID, Tag: tag, Language: lang, SolvedOnly: solved,
			Hidden: hidden, Since: time.Now().Add(-time.Hour), From: from, Size: size}
		hits, _, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		if len(hits) > size {
			t.Fatalf("%d hits, asked for %d", len(hits), size)
		}
	})
}
