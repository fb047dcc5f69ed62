package search

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Document is what the index knows of one thread.
type Document struct {
	ThreadID int64
	Title    string
	Question string
	Solution string
	Answers  []string
	Aliases  []string
	Tags     []string
	BoardID  int64
	Language string
	Solved   bool
	Kudos    int
	Visible  bool
	Created  time.Time
}

func (d Document) fields() map[string]any {
	lang := d.Language
	if lang != "de" {
		lang = "en"
	}
	title := d.Title
	if len(d.Aliases) > 0 {
		title += "\n" + strings.Join(d.Aliases, "\n")
	}
	f := map[string]any{
		fieldTitle + "_" + lang: title,
		fieldBody + "_" + lang:  d.Title + "\n" + d.Question + "\n" + d.Solution + "\n" + strings.Join(d.Answers, "\n"),
		// Grams find the parts of compounds and words with a typo; not the
		// answers, whose grams would match almost everything.
		fieldGrams: d.Title + "\n" + strings.Join(d.Tags, " ") + "\n" + d.Question,
		"tags":     d.Tags,
		"language": lang,
		"board":    strconv.FormatInt(d.BoardID, 10),
		"solved":   d.Solved,
		"visible":  d.Visible,
		"kudos":    float64(d.Kudos),
		"created":  d.Created,
	}
	if d.Solution != "" {
		f[fieldSolution+"_"+lang] = d.Solution
	}
	return f
}

// Index is one node's search index.
type Index struct {
	bleve     bleve.Index
	analyzers map[string]analysis.Analyzer // by language, and fieldGrams
}

// runtimeConfig makes a second process fail to open a node's index after a few
// seconds instead of waiting for its lock forever.
var runtimeConfig = map[string]any{"bolt_timeout": "3s"}

const (
	keyVersion  = "mapping_version"
	keyPosition = "outbox_position"
)

// ErrRebuild means the index is new or was built with another mapping: it was
// created empty and must be filled from the database (see Indexer.Rebuild).
var ErrRebuild = errors.New("search: index needs a rebuild")

// Open opens the index in dir, creating it if needed. With a mapping of another
// version the old index is removed. ErrRebuild comes with a usable, empty index.
func Open(dir string) (*Index, error) {
	idx, err := bleve.OpenUsing(dir, runtimeConfig)
	if err == nil {
		v, verr := idx.GetInternal([]byte(keyVersion))
		if verr == nil && string(v) == strconv.Itoa(MappingVersion) {
			return newIndex(idx)
		}
		idx.Close()
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("search: remove outdated index: %w", err)
		}
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, fmt.Errorf("search: open index %s (is another schwarm process using this data directory?): %w", dir, err)
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	idx, err = bleve.NewUsing(dir, m, scorch.Name, scorch.Name, runtimeConfig)
	if err != nil {
		return nil, fmt.Errorf("search: create index %s: %w", dir, err)
	}
	ix, err := newIndex(idx)
	if err != nil {
		return nil, err
	}
	return ix, ErrRebuild
}

// newIndex wraps idx with the analyzers its queries need: a query is analysed
// here, word by word, to ask the index how common each word is.
func newIndex(idx bleve.Index) (*Index, error) {
	ix := &Index{bleve: idx, analyzers: map[string]analysis.Analyzer{}}
	for key, name := range map[string]string{"en": analyzerEN, "de": analyzerDE, fieldGrams: analyzerGrams} {
		a := idx.Mapping().AnalyzerNamed(name)
		if a == nil {
			idx.Close()
			return nil, fmt.Errorf("search: analyzer %s missing", name)
		}
		ix.analyzers[key] = a
	}
	return ix, nil
}

// markBuilt records the mapping version once a rebuild is complete: an index whose
// rebuild was interrupted has none and is rebuilt again on the next start.
func (ix *Index) markBuilt() error {
	return ix.bleve.SetInternal([]byte(keyVersion), []byte(strconv.Itoa(MappingVersion)))
}

// Close closes the index.
func (ix *Index) Close() error { return ix.bleve.Close() }

// Position is the id of the last outbox record applied.
func (ix *Index) Position() (int64, error) {
	v, err := ix.bleve.GetInternal([]byte(keyPosition))
	if err != nil || len(v) != 8 {
		return 0, err
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

// Apply indexes docs, removes the threads in gone, and records position, in one
// batch: after a crash the index is behind, never ahead of what it says.
func (ix *Index) Apply(docs []Document, gone []int64, position int64) error {
	b := ix.bleve.NewBatch()
	for _, d := range docs {
		if err := b.Index(strconv.FormatInt(d.ThreadID, 10), d.fields()); err != nil {
			return fmt.Errorf("search: index thread %d: %w", d.ThreadID, err)
		}
	}
	for _, id := range gone {
		b.Delete(strconv.FormatInt(id, 10))
	}
	var pos [8]byte
	binary.BigEndian.PutUint64(pos[:], uint64(position))
	b.SetInternal([]byte(keyPosition), pos[:])
	return ix.bleve.Batch(b)
}

// Query is a search as people type it.
type Query struct {
	Text       string
	BoardID    int64  // 0 = all
	Tag        string // "" = any
	Language   string // "" = any
	SolvedOnly bool
	Hidden     bool // include hidden (deleted) threads: staff only
	From, Size int
}

// Limits on the work one query may cause.
const (
	maxQueryBytes = 500
	maxQueryWords = 24
	fuzzyMinLen   = 6
	fuzzyMaxWords = 8
)

// Words splits user text into plain words: letters and digits only, so nothing a
// person types is ever read as query syntax.
func Words(text string) []string {
	if len(text) > maxQueryBytes {
		text = text[:maxQueryBytes]
	}
	words := strings.FieldsFunc(strings.ToValidUTF8(text, " "), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	return words
}

// Field boosts. The title says most about a thread (aliases, how others asked it,
// are part of it); the body is the whole thread as one text, which keeps long
// questions from being judged by their title alone; an accepted solution counts
// once more. Chosen on the dev sets of ../shared/eval as a whole, never per query.
var boosts = map[string]float64{fieldTitle: 1, fieldBody: 2, fieldSolution: 1, fieldGrams: 1}

// candidateBudget bounds the threads one query walks to find its candidates.
// Words are taken rarest first until the threads holding them add up to the
// budget (the rarest is always taken); the words after that, those in many
// threads, only score the candidates the rarer words found, as a "common terms"
// query does. A common word says little about a thread, and walking its
// postings is what made a query slow. The dev sets of ../shared/eval score the
// same with a budget of 2,000 as without one.
const candidateBudget = 2_000

// Hit is one matching thread.
type Hit struct {
	ThreadID int64
	Score    float64
}

// unit is one analysed query word in one field family: a term of a language's
// text fields, or a 4-gram of the grams field.
type unit struct {
	fields []string
	term   string
	df     uint64 // threads whose body (or grams) hold the term
}

// plan turns words into the units worth asking for, with how many threads hold
// each, and the words no field knows (typos), which get fuzzy clauses.
func (ix *Index) plan(r index.IndexReader, words []string) (units []unit, unknown []string, err error) {
	seen := map[string]bool{}
	count := func(field, term string) (uint64, error) {
		tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
		if err != nil {
			return 0, err
		}
		defer tfr.Close()
		return tfr.Count(), nil
	}
	for _, w := range words {
		known, stop := false, false
		for _, lang := range languages {
			tokens := ix.analyzers[lang].Analyze([]byte(w))
			if len(tokens) == 0 {
				stop = true // a stop word in one language is no typo in the other
			}
			for _, t := range tokens {
				term := string(t.Term)
				df, err := count(fieldBody+"_"+lang, term)
				if err != nil {
					return nil, nil, err
				}
				if df == 0 {
					continue
				}
				known = true
				if key := lang + " " + term; !seen[key] {
					seen[key] = true
					units = append(units, unit{fields: []string{fieldTitle + "_" + lang, fieldBody + "_" + lang, fieldSolution + "_" + lang}, term: term, df: df})
				}
			}
		}
		if !known && !stop {
			unknown = append(unknown, w)
		}
		// Grams of every word, known or not: a compound in the question finds
		// its parts in a thread, and its parts find the compound.
		for _, t := range ix.analyzers[fieldGrams].Analyze([]byte(w)) {
			term := string(t.Term)
			if seen[fieldGrams+" "+term] {
				continue
			}
			seen[fieldGrams+" "+term] = true
			df, err := count(fieldGrams, term)
			if err != nil {
				return nil, nil, err
			}
			if df > 0 {
				units = append(units, unit{fields: []string{fieldGrams}, term: term, df: df})
			}
		}
	}
	return units, unknown, nil
}

// disjunction scores each field as one match query would: the sum of its words'
// scores, weighed by the share of the words it holds.
func disjunction(units []unit) query.Query {
	byField := map[string][]query.Query{}
	var order []string
	for _, u := range units {
		for _, f := range u.fields {
			t := query.NewTermQuery(u.term)
			t.SetField(f)
			// bleve applies boosts of leaf queries only: a disjunction's is ignored.
			t.SetBoost(boosts[f[:strings.IndexByte(f+"_", '_')]])
			if byField[f] == nil {
				order = append(order, f)
			}
			byField[f] = append(byField[f], t)
		}
	}
	var fields []query.Query
	for _, f := range order {
		fields = append(fields, query.NewDisjunctionQuery(byField[f]))
	}
	return query.NewDisjunctionQuery(fields)
}

// Search returns matching thread ids, best first, and the total number of matches.
func (ix *Index) Search(q Query) ([]Hit, uint64, error) {
	words := Words(q.Text)
	if len(words) == 0 {
		return nil, 0, nil
	}
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	units, unknown, err := ix.plan(r, words)
	r.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	slices.SortStableFunc(units, func(a, b unit) int { return cmp.Compare(a.df, b.df) })
	var spent uint64
	n := 0 // units[:n] find the candidates
	for n < len(units) && (n == 0 || spent+units[n].df <= candidateBudget) {
		spent += units[n].df
		n++
	}
	var candidates []query.Query
	if n > 0 {
		candidates = append(candidates, disjunction(units[:n]))
	}
	for _, w := range unknown {
		// Typo tolerance is for the few words of a title being typed; across a
		// whole paragraph it only adds noise.
		if len([]rune(w)) < fuzzyMinLen || len(words) > fuzzyMaxWords {
			continue
		}
		for _, lang := range languages {
			fz := query.NewFuzzyQuery(strings.ToLower(w))
			fz.SetField(fieldTitle + "_" + lang)
			fz.SetFuzziness(1)
			fz.SetBoost(0.5)
			candidates = append(candidates, fz)
		}
	}
	if len(candidates) == 0 {
		return nil, 0, nil
	}
	match := query.NewBooleanQuery([]query.Query{query.NewDisjunctionQuery(candidates)}, nil, nil)
	// Common words only order the candidates, and only by title and body: each
	// clause here is consulted for every candidate. Their grams are left out:
	// a common word's grams are in nearly every thread and say nothing.
	var common []unit
	for _, u := range units[n:] {
		if u.fields[0] != fieldGrams {
			common = append(common, unit{fields: u.fields[:2], term: u.term, df: u.df})
		}
	}
	if len(common) > 0 {
		match.AddShould(disjunction(common))
	}
	bq := query.NewBooleanQuery([]query.Query{match}, nil, nil)
	term := func(field, value string) query.Query {
		t := query.NewTermQuery(value)
		t.SetField(field)
		return t
	}
	boolean := func(field string, v bool) query.Query {
		b := query.NewBoolFieldQuery(v)
		b.SetField(field)
		return b
	}
	var filters []query.Query
	if q.BoardID != 0 {
		filters = append(filters, term("board", strconv.FormatInt(q.BoardID, 10)))
	}
	if q.Tag != "" {
		filters = append(filters, term("tags", q.Tag))
	}
	if q.Language != "" {
		filters = append(filters, term("language", q.Language))
	}
	if q.SolvedOnly {
		filters = append(filters, boolean("solved", true))
	}
	if len(filters) > 0 {
		bq.AddFilter(query.NewConjunctionQuery(filters))
	}
	if !q.Hidden {
		bq.AddMustNot(boolean("visible", false))
	}
	solved := query.NewBoolFieldQuery(true) // solved threads first among equals
	solved.SetField("solved")
	solved.SetBoost(0.8)
	bq.AddShould(solved)
	req := bleve.NewSearchRequestOptions(bq, max(q.Size, 1), q.From, false)
	res, err := ix.bleve.Search(req)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, err := strconv.ParseInt(h.ID, 10, 64)
		if err != nil {
			continue
		}
		hits = append(hits, Hit{ThreadID: id, Score: h.Score})
	}
	return hits, res.Total, nil
}
