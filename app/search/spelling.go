package search

import (
	"context"
	"fmt"
	"strings"

	index "github.com/blevesearch/bleve_index_api"
)

// Correct proposes another spelling of text for a search that found nothing:
// each word that no thread holds is replaced by the closest word of the threads'
// titles and tags (one edit away for words up to seven letters, two for longer
// ones; the most common on a tie). ok is false when there is nothing to correct.
func (ix *Index) Correct(ctx context.Context, text string) (corrected string, ok bool, err error) {
	words := Words(text)
	if len(words) == 0 {
		return "", false, nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return "", false, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return "", false, fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	fuzzy, canFuzzy := r.(index.IndexReaderFuzzy)
	if !canFuzzy {
		return "", false, nil
	}
	has := func(field string, term []byte) (bool, error) {
		tfr, err := r.TermFieldReader(ctx, term, field, false, false, false)
		if err != nil {
			return false, fmt.Errorf("search: %w", err)
		}
		defer tfr.Close()
		return tfr.Count() > 0, nil
	}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		lw := strings.ToLower(w)
		if len([]rune(lw)) < 4 {
			continue
		}
		known, err := has(fieldWords, []byte(lw))
		if err != nil {
			return "", false, err
		}
		for _, lang := range languages {
			tokens := ix.analyzers[lang].Analyze([]byte(w))
			known = known || len(tokens) == 0 // a stop word
			for _, t := range tokens {
				if known {
					break
				}
				if known, err = has(fieldBody+"_"+lang, t.Term); err != nil {
					return "", false, err
				}
			}
		}
		if known {
			continue
		}
		dict, automaton, err := fuzzy.FieldDictFuzzyAutomaton(fieldWords, lw, min(len([]rune(lw))/4, 2), "")
		if err != nil {
			return "", false, fmt.Errorf("search: %w", err)
		}
		best, bestCount, bestDist := "", uint64(0), uint8(255)
		for e, err := dict.Next(); err == nil && e != nil; e, err = dict.Next() {
			_, dist := automaton.MatchAndDistance(e.Term)
			if dist < bestDist || dist == bestDist && e.Count > bestCount {
				best, bestCount, bestDist = e.Term, e.Count, dist
			}
		}
		dict.Close()
		if best != "" {
			out[i], ok = best, true
		}
	}
	if !ok {
		return "", false, nil
	}
	return strings.Join(out, " "), true, nil
}
