package search

import (
	"cmp"
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// thesaurusTextDE holds German synonym sets, one per line, their words separated by
// spaces: OpenThesaurus, filtered by ./thesaurus/gen (see thesaurus/README.md
// for its source and licence).
//
//go:embed thesaurus/de.txt
var thesaurusTextDE string

// synonymWeight weighs a synonym of a German query word against the word
// itself. People who ask a question and those who answered it name the same
// thing differently ("Rechner", "Computer"; "Hauptprozessor", "CPU";
// "Schadprogramm", "Malware"), and a thread that names it only the other way
// should still be found; but a thesaurus lists every sense of a word, and
// the query's own words are what it certainly means, so a synonym counts for
// less: 0.3 of a word, in the range usual for query expansion. On the German
// dev set of ../shared/eval, MRR@10 is 0.764 without synonyms and 0.770 with
// them (0.768, 0.765, 0.772 and 0.787 at 0.2, 0.5, 0.7 and 1.0: within that
// set's noise, none below 0.764; Recall@5 0.792 → 0.808). The English sets do
// not change: their threads hold no German word for a synonym to be found in.
const synonymWeight = 0.3

// thesaurus is the German synonym sets with their words analysed as the
// German fields analyse them, and the sets each analysed word is in: every
// word with that stem, as a query word's inflections find the same threads.
type thesaurus struct {
	sets [][]string
	in   map[string][]int32
}

// thesaurusDE is built once, when the first index opens, and never changed.
var thesaurusDE = sync.OnceValues(func() (*thesaurus, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	a := m.AnalyzerNamed(analyzerDE)
	th := &thesaurus{in: map[string][]int32{}}
	analysed := map[string]string{} // words are in several sets: analyse each once
	for line := range strings.Lines(thesaurusTextDE) {
		var set []string
		for _, w := range strings.Fields(line) {
			term, ok := analysed[w]
			if !ok {
				if tokens := a.Analyze([]byte(w)); len(tokens) == 1 { // stop words have none
					term = string(tokens[0].Term)
				}
				analysed[w] = term
			}
			if term != "" && !slices.Contains(set, term) {
				set = append(set, term)
			}
		}
		if len(set) < 2 {
			continue
		}
		for _, t := range set {
			th.in[t] = append(th.in[t], int32(len(th.sets)))
		}
		th.sets = append(th.sets, set)
	}
	return th, nil
})

// synonyms returns the analysed words that term shares a set with, in the
// order of the sets, each once.
func (th *thesaurus) synonyms(term string) []string {
	var out []string
	for _, i := range th.in[term] {
		for _, w := range th.sets[i] {
			if w != term && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// synonym is a word that a German query word can stand for.
type synonym struct {
	term    string
	weight  float64
	df      uint64 // threads that hold the query word it stands for
	threads uint64 // threads that hold the synonym itself
	words   uint64 // the query words it stands for (see unit)
}

// synonyms are the synonyms of a query's German words, in the query's order.
type synonyms struct {
	list []synonym
	at   map[string]int // index in list by term
}

// A word stands for at most maxSynonyms of its synonyms: those most threads
// hold, which are the ones a thread may have used in its place. Each costs the
// query a term, and vague words have dozens ("schon" 178, "einfach" 67,
// "Fehler" 35): uncapped, a 30-word German question had twice the terms and
// three times the time. On the German dev set any cap from 5 to 12 ranks
// exactly as no cap does.
const maxSynonyms = 8

// add adds the synonyms of term, a German query word (bit, as unit.words) held
// by df threads, that threads hold (count tells how many); a synonym of
// several query words counts for each.
func (s *synonyms) add(term string, bit, df uint64, count func(term string) (uint64, error)) error {
	th, err := thesaurusDE()
	if err != nil {
		return err
	}
	var held []synonym
	for _, t := range th.synonyms(term) {
		n, err := count(t)
		if err != nil {
			return err
		}
		if n > 0 {
			held = append(held, synonym{term: t, threads: n})
		}
	}
	slices.SortStableFunc(held, func(a, b synonym) int { return cmp.Compare(b.threads, a.threads) })
	for _, h := range held[:min(len(held), maxSynonyms)] {
		i, ok := s.at[h.term]
		if !ok {
			if s.at == nil {
				s.at = map[string]int{}
			}
			i = len(s.list)
			s.at[h.term] = i
			s.list = append(s.list, h)
		}
		s.list[i].weight += synonymWeight
		s.list[i].df = max(s.list[i].df, df)
		s.list[i].words |= bit
	}
	return nil
}
