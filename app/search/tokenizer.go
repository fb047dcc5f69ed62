package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// tokenizerWords splits text into runs of letters and digits, exactly as Words
// splits a query and the marker splits a snippet. Unicode word segmentation,
// bleve's default, keeps "TR/Virtumod.WS" as "tr", "virtumod.ws" and "don't"
// as one word, which a query (split by Words) could then never match: posts
// typed in haste ("neu.jetzt", "z.B.", "v1.2") are full of them.
const tokenizerWords = "schwarm_words_tokenizer"

func init() {
	err := registry.RegisterTokenizer(tokenizerWords, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordTokenizer{}, nil
	})
	if err != nil {
		panic(err)
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

type wordTokenizer struct{}

func (wordTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var ts analysis.TokenStream
	start := -1
	emit := func(end int) {
		if start >= 0 {
			ts = append(ts, &analysis.Token{Term: input[start:end], Start: start, End: end, Position: len(ts) + 1, Type: analysis.AlphaNumeric})
			start = -1
		}
	}
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		if r != utf8.RuneError && isWordRune(r) {
			if start < 0 {
				start = i
			}
		} else {
			emit(i)
		}
		i += size
	}
	emit(len(input))
	return ts
}
