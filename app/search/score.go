package search

import (
	"context"
	"math/bits"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// BM25 parameters, as in Lucene and the baseline of ../shared/eval.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// scoreField is one field a term is looked for in, with its weight.
type scoreField struct {
	name   string
	weight float64
	avgLen float64 // mean length of the field, in tokens
}

// scoreTerm is one analysed query term: its fields are scored as one
// (BM25F), so a word found in the title and the body counts once, more
// strongly, instead of twice.
type scoreTerm struct {
	term   string
	fields []scoreField
	idf    float64
	weight float64
	finds  bool   // its postings find candidates; otherwise it only scores them
	words  uint64 // the query words it stands for (see unit)
}

// bm25Query scores documents as the sum of its terms' BM25F scores. bleve's
// own term scoring squares the idf (its query weight is idf times the boost)
// and multiplies disjunctions by the share of clauses matched, which favours
// long threads that mention everything; this scores as the baseline does.
type bm25Query struct {
	terms   []scoreTerm
	priors  []prior
	limit   int       // candidates scored at most (scoreLimit)
	words   []float64 // the weight of each query word (see wordWeights)
	counted uint64    // the query words that are no stop words
	// matched records, by internal id, the query words each scored thread
	// holds: Search reads it for the hits the collector kept, which is cheaper
	// than asking the index again and needs nothing of bleve's searchers but
	// the ids they pass on.
	matched map[string]uint64
}

// measure returns a hit's Strength, Held and Known (see Hit) from its score
// and the query words it holds.
func (q *bm25Query) measure(score float64, holds uint64) (strength float64, held, known int) {
	var all float64
	for _, w := range q.words {
		all += w
	}
	if all > 0 {
		strength = score / all
	}
	return strength, bits.OnesCount64(holds & q.counted), bits.OnesCount64(q.counted)
}

// prior multiplies the score of threads that hold term in field: what the
// community said of a thread moves it ahead of threads that match about as
// well. A factor, not a bonus added: BM25 scores grow with the length of the
// query, and a fixed bonus would outweigh the words of a three-word title
// and vanish beside a paragraph's.
type prior struct {
	field, term string
	factor      float64
}

// priors: an accepted solution answers the question; kudos say members found
// the thread helpful, a little more at 1, 10 and 100 (a tier each), so that
// a solved thread stays ahead of one with a few kudos. Scoring these here
// instead of as bleve "should" clauses keeps their weight fixed (bleve's
// depends on the idf of "solved" and on the query norm) and spares a
// disjunction advanced to every candidate, a third of a query's time.
var priors = []prior{
	{field: fieldSolved, term: "T", factor: 1.15},
	{field: fieldKudos, term: "1", factor: 1.04},
	{field: fieldKudos, term: "10", factor: 1.04},
	{field: fieldKudos, term: "100", factor: 1.04},
}

// kudosTiers are the terms of fieldKudos for a thread with n kudos.
func kudosTiers(n int) []string {
	var tiers []string
	for _, t := range []struct {
		min  int
		term string
	}{{1, "1"}, {10, "10"}, {100, "100"}} {
		if n >= t.min {
			tiers = append(tiers, t.term)
		}
	}
	return tiers
}

func (q *bm25Query) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, _ search.SearcherOptions) (search.Searcher, error) {
	s := &bm25Searcher{}
	for ti, t := range q.terms {
		for fi, f := range t.fields {
			tfr, err := r.TermFieldReader(ctx, []byte(t.term), f.name, true, true, false)
			if err != nil {
				s.Close()
				return nil, err
			}
			s.postings = append(s.postings, &posting{tfr: tfr, term: ti, field: fi, finds: t.finds})
		}
	}
	for _, p := range q.priors {
		tfr, err := r.TermFieldReader(ctx, []byte(p.term), p.field, false, false, false)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.priors = append(s.priors, &posting{tfr: tfr})
		s.factors = append(s.factors, p.factor)
	}
	s.terms = q.terms
	s.tf = make([]float64, len(q.terms))
	s.left = q.limit
	s.matched = q.matched
	return s, nil
}

type posting struct {
	tfr     index.TermFieldReader
	curr    *index.TermFieldDoc // nil: not started or at the end
	started bool
	done    bool
	term    int
	field   int
	finds   bool
}

// seek moves p to its first document at or after id.
func (p *posting) seek(id index.IndexInternalID) error {
	if p.done || (p.curr != nil && p.curr.ID.Compare(id) >= 0) {
		return nil
	}
	next, err := p.tfr.Advance(id, p.curr)
	return p.set(next, err)
}

// step moves p to its next document.
func (p *posting) step() error {
	if p.done {
		return nil
	}
	next, err := p.tfr.Next(p.curr)
	return p.set(next, err)
}

func (p *posting) set(next *index.TermFieldDoc, err error) error {
	p.started = true
	if err != nil {
		return err
	}
	if next == nil {
		p.done, p.curr = true, nil
	} else {
		p.curr = next
	}
	return nil
}

type bm25Searcher struct {
	terms    []scoreTerm
	postings []*posting
	priors   []*posting // of q.priors, by position
	factors  []float64
	tf       []float64
	last     index.IndexInternalID
	left     int               // candidates it may still score
	matched  map[string]uint64 // see bm25Query.matched; nil: not recorded
}

func (s *bm25Searcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.next(ctx, nil)
}

func (s *bm25Searcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.next(ctx, id)
}

func (s *bm25Searcher) next(ctx *search.SearchContext, target index.IndexInternalID) (*search.DocumentMatch, error) {
	if s.left <= 0 {
		return nil, nil // scoreLimit: the query has cost what one may
	}
	s.left--
	// The finding postings step past the last document returned, or to target.
	var doc index.IndexInternalID
	for _, p := range s.postings {
		if !p.finds {
			continue
		}
		var err error
		switch {
		case target != nil:
			err = p.seek(target)
		case !p.started:
			err = p.step()
		}
		if err != nil {
			return nil, err
		}
		if p.curr != nil && s.last != nil && p.curr.ID.Compare(s.last) <= 0 {
			if err := p.step(); err != nil {
				return nil, err
			}
		}
		if p.curr != nil && (doc == nil || p.curr.ID.Compare(doc) < 0) {
			doc = p.curr.ID
		}
	}
	if doc == nil {
		return nil, nil
	}
	doc = append(index.IndexInternalID(nil), doc...)
	clear(s.tf)
	for _, p := range s.postings {
		if !p.finds {
			if err := p.seek(doc); err != nil {
				return nil, err
			}
		}
		if p.curr == nil || !p.curr.ID.Equals(doc) {
			continue
		}
		f := s.terms[p.term].fields[p.field]
		length := 1 / (p.curr.Norm * p.curr.Norm)
		s.tf[p.term] += f.weight * float64(p.curr.Freq) / (1 - bm25B + bm25B*length/f.avgLen)
	}
	var score float64
	var words uint64
	for i, tf := range s.tf {
		if tf > 0 {
			t := s.terms[i]
			score += t.weight * t.idf * tf * (bm25K1 + 1) / (bm25K1 + tf)
			words |= t.words
		}
	}
	if s.matched != nil {
		s.matched[string(doc)] = words
	}
	for i, p := range s.priors {
		if err := p.seek(doc); err != nil {
			return nil, err
		}
		if p.curr != nil && p.curr.ID.Equals(doc) {
			score *= s.factors[i]
		}
	}
	s.last = doc
	m := ctx.DocumentMatchPool.Get()
	m.IndexInternalID = append(m.IndexInternalID[:0], doc...)
	m.Score = score
	return m, nil
}

func (s *bm25Searcher) Close() error {
	var first error
	for _, p := range append(s.postings, s.priors...) {
		if err := p.tfr.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight is 1: the scores are BM25's own and take no query norm.
func (s *bm25Searcher) Weight() float64      { return 1 }
func (s *bm25Searcher) SetQueryNorm(float64) {}
func (s *bm25Searcher) Min() int             { return 0 }
func (s *bm25Searcher) Size() int            { return 64 + 64*len(s.postings) }
func (s *bm25Searcher) DocumentMatchPoolSize() int {
	return 1
}

func (s *bm25Searcher) Count() uint64 {
	var n uint64
	for _, p := range s.postings {
		if p.finds {
			n += p.tfr.Count()
		}
	}
	return n
}
