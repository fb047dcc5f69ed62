package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Query is a search as people type it.
type Query struct {
	Text       string
	BoardID    int64  // 0 = all
	Tag        string // "" = any
	Language   string // "" = any
	SolvedOnly bool
	Since      time.Time // zero = any time: threads asked since then
	Newest     bool      // newest first instead of best first
	Hidden     bool      // include hidden (deleted, waiting) threads: staff only
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
	ix.mu.RLock()
	defer ix.mu.RUnlock()
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
	if !q.Since.IsZero() {
		inclusive := true
		since := query.NewDateRangeInclusiveQuery(q.Since, time.Time{}, &inclusive, nil)
		since.SetField("created")
		filters = append(filters, since)
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
	if q.Newest {
		req.SortBy([]string{"-created", "-_score"})
	}
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
