package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
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
	f := map[string]any{
		"title_" + lang:    d.Title,
		"question_" + lang: d.Question,
		"solution_" + lang: d.Solution,
		"answers_" + lang:  strings.Join(d.Answers, "\n"),
		"aliases_" + lang:  strings.Join(d.Aliases, "\n"),
		"all_" + lang:      d.Title + "\n" + d.Question + "\n" + d.Solution + "\n" + strings.Join(d.Answers, "\n"),
		"grams":            d.Title + "\n" + strings.Join(d.Tags, " ") + "\n" + d.Question,
		"tags":             d.Tags,
		"language":         lang,
		"board":            strconv.FormatInt(d.BoardID, 10),
		"solved":           d.Solved,
		"visible":          d.Visible,
		"kudos":            float64(d.Kudos),
		"created":          d.Created,
	}
	return f
}

// Index is one node's search index.
type Index struct {
	bleve bleve.Index
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
			return &Index{bleve: idx}, nil
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
	return &Index{bleve: idx}, ErrRebuild
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

// Field boosts: the title says most about a thread, aliases (how others asked it)
// as much; "all" is the whole thread as one text, which keeps long questions from
// being judged by their title alone. Chosen on the dev sets of ../shared/eval as a
// whole, never per query.
var boosts = map[string]float64{"title": 2, "aliases": 2, "solution": 1.3, "question": 1.5, "answers": 1, "all": 2}

// Hit is one matching thread.
type Hit struct {
	ThreadID int64
	Score    float64
}

// Search returns matching thread ids, best first, and the total number of matches.
func (ix *Index) Search(q Query) ([]Hit, uint64, error) {
	words := Words(q.Text)
	if len(words) == 0 {
		return nil, 0, nil
	}
	text := strings.Join(words, " ")
	var should []query.Query
	for _, lang := range languages {
		for _, f := range textFields {
			m := query.NewMatchQuery(text)
			m.SetField(f + "_" + lang)
			m.SetBoost(boosts[f])
			should = append(should, m)
		}
	}
	grams := query.NewMatchQuery(text)
	grams.SetField("grams")
	grams.SetBoost(0.4)
	should = append(should, grams)
	for _, w := range words {
		// Typo tolerance is for the few words of a title being typed; across a
		// whole paragraph it only adds noise.
		if len([]rune(w)) < fuzzyMinLen || len(words) > fuzzyMaxWords {
			continue
		}
		for _, lang := range languages {
			fz := query.NewFuzzyQuery(strings.ToLower(w))
			fz.SetField("title_" + lang)
			fz.SetFuzziness(1)
			fz.SetBoost(0.5)
			should = append(should, fz)
		}
	}
	must := []query.Query{query.NewDisjunctionQuery(should)}
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
	if q.BoardID != 0 {
		must = append(must, term("board", strconv.FormatInt(q.BoardID, 10)))
	}
	if q.Tag != "" {
		must = append(must, term("tags", q.Tag))
	}
	if q.Language != "" {
		must = append(must, term("language", q.Language))
	}
	if q.SolvedOnly {
		must = append(must, boolean("solved", true))
	}
	bq := query.NewBooleanQuery(must, nil, nil)
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
