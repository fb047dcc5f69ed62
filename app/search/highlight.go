package search

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Marker marks the words of a query in the text shown with its results, as the
// backend that answered the query would match them. A Marker is not safe for
// concurrent use.
type Marker interface {
	// Mark returns s as HTML, escaped, with the query's words in <mark>.
	Mark(s string) template.HTML
	// Snippet returns about n bytes of the plain text s around the stretch that
	// holds the most query words, marked, with "…" where it was cut.
	Snippet(s string, n int) template.HTML
}

// marker is the index's Marker. A word is marked when search would match it:
// its analysed form (folded, stemmed) is one of the query's or one of the
// synonyms search takes for a German query word ("CPU" for "Hauptprozessor"),
// or it holds a query word of four letters or more, as a compound holds its
// parts ("Routerpasswort" for "Passwort").
type marker struct {
	analyzers map[string]analysis.Analyzer
	terms     map[string]bool // language + " " + analysed term
	parts     []string        // folded query words of four letters or more
	seen      map[string]bool // word → marked, for words met before
}

// Marker returns a Marker for query.
func (ix *Index) Marker(query string) Marker {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	analyzers := ix.analyzers
	m := &marker{analyzers: analyzers, terms: map[string]bool{}, seen: map[string]bool{}}
	var german []string
	for _, w := range Words(query) {
		var terms []string
		stop := false
		for _, lang := range languages {
			tokens := analyzers[lang].Analyze([]byte(w))
			stop = stop || len(tokens) == 0
			for _, t := range tokens {
				terms = append(terms, lang+" "+string(t.Term))
				if lang == "de" {
					german = append(german, string(t.Term))
				}
			}
		}
		if stop { // a stop word in either language would mark half of any text
			continue
		}
		for _, t := range terms {
			m.terms[t] = true
		}
		if f := fold(w); len([]rune(f)) >= 4 {
			m.parts = append(m.parts, f)
		}
	}
	for _, t := range ix.synonymsOf(german) {
		m.terms["de "+t] = true
	}
	return m
}

// synonymsOf returns the synonyms that search takes for the German query
// terms, as plan chooses them: those most threads hold. Their counts were
// just asked by the search that the marks are for, and are kept (termCounts).
// Marks are a help to the reader, not a result: without an index to ask, a
// word's synonyms are not marked. The caller holds ix.mu.
func (ix *Index) synonymsOf(terms []string) []string {
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil
	}
	epoch := ix.counts.current()
	r, err := adv.Reader()
	if err != nil {
		return nil
	}
	defer r.Close()
	count := func(t string) (uint64, error) { return ix.count(r, epoch, fieldBody+"_de", t) }
	var syn synonyms
	for _, t := range terms {
		df, err := count(t)
		if err != nil {
			return nil
		}
		if err := syn.add(t, 0, df, count); err != nil {
			return nil
		}
	}
	out := make([]string, len(syn.list))
	for i, s := range syn.list {
		out[i] = s.term
	}
	return out
}

func (m *marker) matches(word string) bool {
	key := strings.ToLower(word)
	if v, ok := m.seen[key]; ok {
		return v
	}
	v := false
	for _, lang := range languages {
		for _, t := range m.analyzers[lang].Analyze([]byte(word)) {
			v = v || m.terms[lang+" "+string(t.Term)]
		}
	}
	if !v {
		f := fold(word)
		for _, p := range m.parts {
			if strings.Contains(f, p) {
				v = true
				break
			}
		}
	}
	m.seen[key] = v
	return v
}

// wordSpan is a word's place in a text, in bytes.
type wordSpan struct{ start, end int }

func wordSpans(s string) []wordSpan {
	var spans []wordSpan
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			spans = append(spans, wordSpan{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, wordSpan{start, len(s)})
	}
	return spans
}

func (m *marker) Mark(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, w := range wordSpans(s) {
		if !m.matches(s[w.start:w.end]) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(s[last:w.start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(s[w.start:w.end]))
		b.WriteString("</mark>")
		last = w.end
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String()) //nolint:gosec // every piece of s is escaped above
}

func (m *marker) Snippet(s string, n int) template.HTML {
	if len(s) <= n {
		return m.Mark(s)
	}
	spans := wordSpans(s)
	var hits []int // byte offsets of matching words
	for _, w := range spans {
		if m.matches(s[w.start:w.end]) {
			hits = append(hits, w.start)
		}
	}
	start, best := 0, 0
	for i, h := range hits {
		count := 0
		for _, o := range hits[i:] {
			if o >= h+n*4/5 {
				break
			}
			count++
		}
		if count > best {
			start, best = h, count
		}
	}
	// A little context before the first word, from a word's start.
	if start > 0 {
		lead := max(start-n/5, 0)
		for _, w := range spans {
			if w.start >= lead {
				start = w.start
				break
			}
		}
	}
	end := min(start+n, len(s))
	for _, w := range spans { // end after a whole word
		if w.start < end && w.end > end {
			if w.start > start {
				end = w.start
			} // else one word longer than n: cut inside it
			break
		}
	}
	for end > start && end < len(s) && !utf8.RuneStart(s[end]) { // never inside a character
		end--
	}
	for end > start && s[end-1] == ' ' {
		end--
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	b.WriteString(string(m.Mark(s[start:end])))
	if end < len(s) {
		b.WriteString("…")
	}
	return template.HTML(b.String()) //nolint:gosec // Mark escapes
}

// fold lower-cases w and writes German umlauts and ß the way the analyzers fold
// them, so that the parts of a compound are found whichever way it was typed.
func fold(w string) string {
	return foldReplacer.Replace(strings.ToLower(w))
}

var foldReplacer = strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss", "ae", "a", "oe", "o", "ue", "u", "é", "e", "è", "e", "à", "a")
