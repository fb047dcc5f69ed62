package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/ngram"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// MappingVersion changes whenever the mapping or the analyzers change; an index
// built with another version is rebuilt on start.
const MappingVersion = 8

// Analyzer names.
const (
	analyzerEN    = "schwarm_en"    // folding, stop words, Porter stemming
	analyzerDE    = "schwarm_de"    // German normalisation (ä→a, ue→u, ß→ss), light stemming
	analyzerGrams = "schwarm_grams" // 4-grams of folded words: compounds and typos
	analyzerWords = "schwarm_words" // words as written, lower-cased: spelling corrections
	ngramFilter   = "schwarm_4grams"
)

// Languages with their own analyzed fields.
var languages = []string{"en", "de"}

// Text fields per language. Few fields on purpose: every field a query names
// costs a dictionary lookup and a postings list per word, and every field a thread
// fills costs indexing time and disk.
var textFields = []string{
	fieldTitle,    // title and aliases: what the thread is about, in few words
	fieldBody,     // the whole thread as one text: title, question, solution, answers
	fieldSolution, // the accepted solution once more, so that it counts above other answers
}

const (
	fieldTitle    = "title"
	fieldBody     = "body"
	fieldSolution = "solution"
	fieldGrams    = "grams"
	fieldWords    = "words"  // the titles' words as written, for "did you mean"
	fieldHidden   = "hidden" // hidden posts, per language: only staff search them
	fieldSolved   = "solved" // true once an answer is accepted
	fieldKudos    = "kudos"  // the kudos tiers a thread reached (see kudosTiers)
)

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	err := m.AddCustomTokenFilter(ngramFilter, map[string]any{"type": ngram.Name, "min": 4.0, "max": 4.0})
	if err != nil {
		return nil, err
	}
	for name, a := range map[string]map[string]any{
		analyzerEN: {"type": custom.Name, "char_filters": []any{asciifolding.Name}, "tokenizer": tokenizerWords,
			"token_filters": []any{en.PossessiveName, lowercase.Name, en.StopName, porter.Name}},
		analyzerDE: {"type": custom.Name, "tokenizer": tokenizerWords,
			"token_filters": []any{lowercase.Name, de.StopName, de.NormalizeName, de.LightStemmerName}},
		analyzerWords: {"type": custom.Name, "tokenizer": tokenizerWords, "token_filters": []any{lowercase.Name}},
		analyzerGrams: {"type": custom.Name, "char_filters": []any{asciifolding.Name}, "tokenizer": tokenizerWords,
			"token_filters": []any{lowercase.Name, de.NormalizeName, ngramFilter}},
	} {
		if err := m.AddCustomAnalyzer(name, a); err != nil {
			return nil, err
		}
	}
	doc := bleve.NewDocumentStaticMapping() // default mapping off: only what is named here
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.IncludeInAll = analyzer, false, false, false
		return f
	}
	for _, lang := range languages {
		analyzer := analyzerEN
		if lang == "de" {
			analyzer = analyzerDE
		}
		for _, f := range textFields {
			doc.AddFieldMappingsAt(f+"_"+lang, text(analyzer))
		}
		doc.AddFieldMappingsAt(fieldHidden+"_"+lang, text(analyzer))
	}
	doc.AddFieldMappingsAt(fieldGrams, text(analyzerGrams))
	doc.AddFieldMappingsAt(fieldWords, text(analyzerWords))
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer, f.IncludeInAll = keyword.Name, false
		return f
	}
	doc.AddFieldMappingsAt("tags", kw())
	doc.AddFieldMappingsAt("language", kw())
	doc.AddFieldMappingsAt("board", kw())
	doc.AddFieldMappingsAt(fieldKudos, kw())
	b := bleve.NewBooleanFieldMapping()
	b.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldSolved, b)
	doc.AddFieldMappingsAt("visible", b)
	dt := bleve.NewDateTimeFieldMapping()
	dt.IncludeInAll = false
	doc.AddFieldMappingsAt("created", dt)
	m.DefaultMapping = doc
	m.ScoringModel = index.BM25Scoring // length-normalised: long answers do not drown short titles
	m.DefaultAnalyzer = analyzerEN
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}
