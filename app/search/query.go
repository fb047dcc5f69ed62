package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
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
	// Locale is the asker's language, taken for the question's where its
	// words do not tell ("router wifi"): suggestions hold a thread in another
	// language to a stricter bar. It filters nothing.
	Locale string
}

// Admits tells whether a thread that the index holds as d passes the filters
// of q, as Search applies them.
func (q Query) Admits(d Document) bool {
	return (q.BoardID == 0 || d.BoardID == q.BoardID) &&
		(q.Tag == "" || slices.Contains(d.Tags, q.Tag)) &&
		(q.Language == "" || d.language() == q.Language) &&
		(!q.SolvedOnly || d.Solved) &&
		(q.Since.IsZero() || !d.Created.Before(q.Since))
}

// filtered tells whether q narrows the matches of its words.
func (q Query) filtered() bool {
	return q.BoardID != 0 || q.Tag != "" || q.Language != "" || q.SolvedOnly || !q.Since.IsZero()
}

// Limits on the work one query may cause. A question's body says what its title
// leaves out: with 24 words instead of 64 the long questions of the
// qatarliving dev set score 0.03 to 0.05 MRR@10 lower. 500 bytes hold about 90
// words; 64 costs a 60-word query about 1.4 times the time of 24 at 100k
// threads.
const (
	maxQueryBytes = 500
	maxQueryWords = 64
	fuzzyMinLen   = 6
	fuzzyMaxWords = 8
	maxFuzzyTerms = 16
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

// Field weights, BM25F style: a term's occurrences in a thread's fields are
// added up, each weighed, before BM25 saturates them, so a word in the title
// and in the body counts once, strongly, not twice. The title says most about a
// thread (aliases, how others asked it, are part of it); the body is the whole
// thread as one text, which keeps long questions from being judged by their
// title alone; an accepted solution counts once more. Chosen on the dev sets of
// ../shared/eval as a whole, never per query.
var fieldWeights = map[string]float64{fieldTitle: 2, fieldBody: 1, fieldSolution: 1, fieldGrams: 1}

// A word's 4-grams together weigh as much as the square root of their number
// of words: they find a compound's parts and a word with a typo, but a long
// word's many grams must not outweigh the short words next to it.
const gramsPerWordExponent = -0.5

// fuzzyWeight weighs a term found by fuzzy matching against an exact one.
const fuzzyWeight = 0.5

// candidateBudget bounds the threads one query walks to find its candidates.
// Words are taken rarest first until the threads holding them add up to the
// budget (the rarest is always taken); the words after that, those in many
// threads, only score the candidates the rarer words found, as a "common terms"
// query does. A common word says little about a thread, and walking its
// postings is what made a query slow. The dev sets of ../shared/eval score the
// same with a budget of 2,000 as without one.
const candidateBudget = 2_000

// scoreLimit bounds the candidates one query scores, and so its CPU time: about
// 15 ms on the development machine. It is far above candidateBudget, so only a
// query whose rarest word alone is in more threads than this reaches it — on a real forum, a query of nothing but very
// common words, which says little about what is wanted — and it then ranks the
// first scoreLimit of those threads in the index's order (the older segments
// first) and misses the rest: a bound on the cost, paid in what such a query
// may miss. The benchmark forum written from 57 words is where it matters: every
// word there is in 60–70 % of its 100,000 threads.
const scoreLimit = 30_000

// Hit is one matching thread.
type Hit struct {
	ThreadID int64
	Score    float64
	// A score ranks threads against each other; these tell whether the best
	// of them is about the question at all. Strength is the score over the
	// sum of the question's word weights (the idf of each word that is no
	// stop word): how strongly, word for word, the thread matches, whatever
	// the question's length. Held is how many of the question's Known words
	// (all but its stop words: one that no thread holds is a part of the
	// question that no thread answers) the thread holds.
	Strength    float64
	Held, Known int
}

// unit is one analysed query word in one field family: a term of a language's
// text fields, or a 4-gram of the grams field.
type unit struct {
	fields []string
	term   string
	df     uint64  // threads whose body (or grams) hold the term
	count  float64 // times the query holds the term (grams: a share of a word)
	words  uint64  // the query words it stands for, bit i for words[i]; 0 for grams
}

// unknownWord is a query word that no field knows, with its bit.
type unknownWord struct {
	word string
	bit  uint64
}

// plan turns words into the units worth asking for, with how many threads hold
// each, the words no field knows (typos), which get fuzzy clauses, and the
// stop words, which say nothing of what a thread is about.
func (ix *Index) plan(r index.IndexReader, epoch uint64, words []string) (units []unit, unknown []unknownWord, stops uint64, err error) {
	seen := map[string]int{} // unit index + 1
	count := func(field, term string) (uint64, error) { return ix.count(r, epoch, field, term) }
	var syn synonyms
	for wi, w := range words {
		bit := uint64(1) << wi // maxQueryWords is 64
		known, stop, english := false, false, false
		for _, lang := range languages {
			tokens := ix.analyzers[lang].Analyze([]byte(w))
			if len(tokens) == 0 {
				stop = true // a stop word in one language is no typo in the other
			}
			for _, t := range tokens {
				term := string(t.Term)
				df, err := count(fieldBody+"_"+lang, term)
				if err != nil {
					return nil, nil, 0, err
				}
				switch {
				case lang == "en" && df > 0:
					english = true
				case lang == "de" && (df > 0 || !english):
					// A word that English threads hold and German ones do not
					// is taken for English ("system", "computer" in an English
					// thread): its German synonyms would only cost lookups.
					if err := syn.add(term, bit, df, func(t string) (uint64, error) { return count(fieldBody+"_de", t) }); err != nil {
						return nil, nil, 0, err
					}
				}
				if df == 0 {
					continue
				}
				known = true
				if key := lang + " " + term; seen[key] == 0 {
					units = append(units, unit{fields: []string{fieldTitle + "_" + lang, fieldBody + "_" + lang, fieldSolution + "_" + lang}, term: term, df: df, count: 1, words: bit})
					seen[key] = len(units)
				} else {
					units[seen[key]-1].count++
					units[seen[key]-1].words |= bit
				}
			}
		}
		if !stop {
			parts, dfs, err := decompound(ix.analyzers["de"], func(term string) (uint64, error) { return count(fieldBody+"_de", term) }, w)
			if err != nil {
				return nil, nil, 0, err
			}
			for k, term := range parts {
				if key := "de " + term; seen[key] == 0 {
					units = append(units, unit{fields: []string{fieldTitle + "_de", fieldBody + "_de", fieldSolution + "_de"}, term: term, df: dfs[k], count: 1, words: bit})
					seen[key] = len(units)
				} else {
					units[seen[key]-1].count++
					units[seen[key]-1].words |= bit
				}
				known = true
			}
		}
		if !known && !stop {
			unknown = append(unknown, unknownWord{word: w, bit: bit})
		}
		if stop {
			stops |= bit
			// A stop word's grams are in the words around it in every thread
			// ("eine" in "keine", "einen", "deine"): they would score what the
			// word itself is kept from scoring.
			continue
		}
		// Grams of every word, known or not: a compound in the question finds
		// its parts in a thread, and its parts find the compound.
		grams := ix.analyzers[fieldGrams].Analyze([]byte(w))
		share := math.Pow(float64(len(grams)), gramsPerWordExponent)
		for _, t := range grams {
			term := string(t.Term)
			if i := seen[fieldGrams+" "+term]; i != 0 {
				if i > 0 {
					units[i-1].count += share
				}
				continue
			}
			seen[fieldGrams+" "+term] = -1
			df, err := count(fieldGrams, term)
			if err != nil {
				return nil, nil, 0, err
			}
			if df > 0 {
				units = append(units, unit{fields: []string{fieldGrams}, term: term, df: df, count: share})
				seen[fieldGrams+" "+term] = len(units)
			}
		}
	}
	// A synonym counts as rare as the word it stands for, not rarer, as
	// Lucene's SynonymQuery takes a word and its synonyms as one term: the
	// thesaurus's rare words would otherwise outweigh the query's own.
	for _, s := range syn.list {
		key := "de " + s.term
		if seen[key] != 0 {
			continue // the query holds the word itself
		}
		units = append(units, unit{fields: []string{fieldTitle + "_de", fieldBody + "_de", fieldSolution + "_de"}, term: s.term, df: max(s.threads, s.df), count: s.weight, words: s.words})
		seen[key] = len(units)
	}
	return units, unknown, stops, nil
}

// minPart is the fewest letters of each word a compound is split into.
const minPart = 4

// decompound splits a German compound ("Prozessorauslastung") into the two
// words it is made of, as the threads write them apart ("prozessor",
// "auslastung"), so that each finds and scores threads as a word of its own,
// not only through the grams it shares. Of the splits into two analysed words
// that threads hold, it takes the one whose words are most common (the
// geometric mean of their thread counts), and only if that is above the
// compound's own count (Koehn and Knight, 2003): a word that threads use as it
// is, "Virenprogramm", stays whole. It returns no parts for other words.
func decompound(a analysis.Analyzer, count func(term string) (uint64, error), w string) (parts []string, dfs []uint64, err error) {
	rs := []rune(w)
	if len(rs) < 2*minPart {
		return nil, nil, nil
	}
	var whole uint64
	for _, t := range a.Analyze([]byte(w)) {
		if whole, err = count(string(t.Term)); err != nil {
			return nil, nil, err
		}
	}
	best := float64(whole)
	for i := minPart; i <= len(rs)-minPart; i++ {
		var ps []string
		var ds []uint64
		for _, part := range []string{string(rs[:i]), string(rs[i:])} {
			tokens := a.Analyze([]byte(part))
			if len(tokens) != 1 {
				break
			}
			df, err := count(string(tokens[0].Term))
			if err != nil {
				return nil, nil, err
			}
			if df == 0 {
				break
			}
			ps, ds = append(ps, string(tokens[0].Term)), append(ds, df)
		}
		if len(ps) == 2 {
			if g := math.Sqrt(float64(ds[0]) * float64(ds[1])); g > best {
				parts, dfs, best = ps, ds, g
			}
		}
	}
	return parts, dfs, nil
}

// Search returns matching thread ids, best first, and the total number of matches.
func (ix *Index) Search(ctx context.Context, q Query) ([]Hit, uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	words := Words(q.Text)
	if len(words) == 0 {
		return nil, 0, nil
	}
	epoch := ix.counts.current()
	if h, ok := ix.hits.get(q, epoch); ok {
		return h.hits, h.total, nil
	}
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	scored, err := ix.scoring(r, epoch, words)
	r.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	var match query.Query
	if scored != nil {
		scored.matched = map[string]uint64{}
		match = scored
	}
	if q.Hidden { // staff also find what only a hidden post says
		text := strings.Join(words, " ")
		var either []query.Query
		if match != nil {
			either = append(either, match)
		}
		for _, lang := range languages {
			m := query.NewMatchQuery(text)
			m.SetField(fieldHidden + "_" + lang)
			m.SetBoost(0.5)
			either = append(either, m)
		}
		match = query.NewDisjunctionQuery(either)
	}
	if match == nil {
		return nil, 0, nil
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
		filters = append(filters, boolean(fieldSolved, true))
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
	req := bleve.NewSearchRequestOptions(bq, max(q.Size, 1), q.From, false)
	if q.Newest {
		req.SortBy([]string{"-created", "-_score"})
	}
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, err := strconv.ParseInt(h.ID, 10, 64)
		if err != nil {
			continue
		}
		hit := Hit{ThreadID: id, Score: h.Score}
		if scored != nil {
			hit.Strength, hit.Held, hit.Known = scored.measure(h.Score, scored.matched[string(h.IndexInternalID)])
		}
		hits = append(hits, hit)
	}
	ix.hits.put(q, keptHits{epoch: epoch, hits: hits, total: res.Total}, ix.counts.current())
	return hits, res.Total, nil
}

// hitCache keeps the answers to queries until the index next changes: the
// same question asked again — the same words typed into the ask form by many
// customers during an outage, the pages of one search — is answered without
// scoring. Exact, since an entry is only used at the epoch it was found at
// (termCounts.current); under a stream of writes it holds for the moment
// between two of the indexer's batches.
type hitCache struct {
	mu sync.Mutex
	m  map[Query]keptHits
}

type keptHits struct {
	epoch uint64
	hits  []Hit
	total uint64
}

// maxKeptQueries bounds the queries kept: a few hundred bytes each.
const maxKeptQueries = 5_000

func (c *hitCache) get(q Query, epoch uint64) (keptHits, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[q]
	return h, ok && h.epoch == epoch
}

// put keeps h unless the index changed since it was found (h.epoch is older
// than now).
func (c *hitCache) put(q Query, h keptHits, now uint64) {
	if h.epoch != now {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxKeptQueries {
		c.m = make(map[Query]keptHits)
	}
	c.m[q] = h
}

// scoring plans the query for words: which terms find candidates and how
// each is weighed.
func (ix *Index) scoring(r index.IndexReader, epoch uint64, words []string) (*bm25Query, error) {
	units, unknown, stops, err := ix.plan(r, epoch, words)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(units, func(a, b unit) int { return cmp.Compare(a.df, b.df) })
	var spent uint64
	n := 0 // units[:n] find the candidates
	for n < len(units) && (n == 0 || spent+units[n].df <= candidateBudget) {
		spent += units[n].df
		n++
	}
	// Typo tolerance is for the few words of a title being typed; across a
	// whole paragraph it only adds noise.
	if len(words) <= fuzzyMaxWords {
		fuzzy, err := ix.fuzzy(r, unknown)
		if err != nil {
			return nil, err
		}
		units = slices.Insert(units, n, fuzzy...)
		n += len(fuzzy)
	}
	docs, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	idf := func(df uint64) float64 {
		return math.Log(1 + (float64(docs)-float64(df)+0.5)/(float64(df)+0.5))
	}
	q := &bm25Query{priors: priors, limit: ix.scoreLimit}
	q.words, q.counted = wordWeights(len(words), units, stops, idf)
	for i, u := range units {
		if i >= n && u.fields[0] == fieldGrams {
			// A common word's grams are in nearly every thread: they say
			// nothing, and each would be looked up for every candidate.
			continue
		}
		t := scoreTerm{term: u.term, finds: i < n, weight: u.count, idf: idf(u.df), words: u.words}
		fields := u.fields
		if i >= n && len(fields) > 2 {
			// A common word is looked up for every candidate: by title and
			// body only, which hold the solution too.
			fields = fields[:2]
		}
		for _, f := range fields {
			avg, err := ix.avgLen(f)
			if err != nil {
				return nil, err
			}
			t.fields = append(t.fields, scoreField{name: f, weight: fieldWeights[f[:strings.IndexByte(f+"_", '_')]], avgLen: avg})
		}
		q.terms = append(q.terms, t)
	}
	if len(q.terms) == 0 {
		return nil, nil
	}
	return q, nil
}

// unknownWordShare weighs a word that no thread holds, in any spelling one
// edit away, against the rarest word there could be: such a word may be the
// question's subject ("porting", a product the forum has never heard of), so
// a thread holding the other words is not about the question as a whole; but
// it may as well be a name, a number or a typo across a long question, which
// must not make every thread look off-topic.
const unknownWordShare = 0.5

// wordWeights weighs each of n query words by the idf of the most common of
// its terms (a word is as telling as the spelling most threads use), stop
// words by 0 and words no thread holds by unknownWordShare of the rarest idf;
// counted has the bits of the words that are no stop words.
func wordWeights(n int, units []unit, stops uint64, idf func(df uint64) float64) (w []float64, counted uint64) {
	df := make([]uint64, n)
	var known uint64
	for _, u := range units {
		known |= u.words
		for i := range n {
			if u.words&(1<<i) != 0 {
				df[i] = max(df[i], u.df)
			}
		}
	}
	known &^= stops
	w = make([]float64, n)
	for i := range n {
		switch {
		case stops&(1<<i) != 0:
		case known&(1<<i) != 0:
			w[i] = idf(df[i])
		default:
			w[i] = unknownWordShare * idf(0)
		}
	}
	return w, (1<<n - 1) &^ stops
}

// fuzzy finds the terms of the titles one edit away from the unknown words
// long enough for a typo to be told from another word.
func (ix *Index) fuzzy(r index.IndexReader, unknown []unknownWord) ([]unit, error) {
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, nil
	}
	var units []unit
	for _, u := range unknown {
		if len([]rune(u.word)) < fuzzyMinLen {
			continue
		}
		for _, lang := range languages {
			for _, tok := range ix.analyzers[lang].Analyze([]byte(u.word)) {
				d, err := fr.FieldDictFuzzy(fieldTitle+"_"+lang, string(tok.Term), 1, "")
				if err != nil {
					return nil, err
				}
				for len(units) < maxFuzzyTerms {
					e, err := d.Next()
					if err != nil {
						d.Close()
						return nil, err
					}
					if e == nil {
						break
					}
					// e.Count is the term's threads by title, not by body: a
					// little rarer, which the lower weight more than makes up.
					units = append(units, unit{fields: []string{fieldTitle + "_" + lang, fieldBody + "_" + lang, fieldSolution + "_" + lang},
						term: e.Term, df: e.Count, count: fuzzyWeight, words: u.bit})
				}
				d.Close()
			}
		}
	}
	return units, nil
}
