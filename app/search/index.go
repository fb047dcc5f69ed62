package search

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/schwarm/schwarm/app/outbox"
)

// Document is what the index knows of one thread.
type Document struct {
	ThreadID int64
	Title    string
	Question string
	Solution string
	Answers  []string
	Aliases  []string
	Hidden   []string // deleted posts and posts waiting for review: found by staff only
	Tags     []string
	BoardID  int64
	Language string
	Solved   bool
	Kudos    int
	Visible  bool
	Created  time.Time
}

// language is the language whose fields hold d: German, or else English.
func (d Document) language() string {
	if d.Language == "de" {
		return "de"
	}
	return "en"
}

func (d Document) fields() map[string]any {
	lang := d.language()
	title := d.Title
	if len(d.Aliases) > 0 {
		title += "\n" + strings.Join(d.Aliases, "\n")
	}
	f := map[string]any{
		fieldTitle + "_" + lang: title,
		fieldBody + "_" + lang:  d.Title + "\n" + d.Question + "\n" + d.Solution + "\n" + strings.Join(d.Answers, "\n"),
		// Grams find the parts of compounds and words with a typo; not the
		// answers, whose grams would match almost everything.
		fieldGrams:  d.Title + "\n" + strings.Join(d.Tags, " ") + "\n" + d.Question,
		"tags":      d.Tags,
		"language":  lang,
		"board":     strconv.FormatInt(d.BoardID, 10),
		fieldSolved: d.Solved,
		"visible":   d.Visible,
		fieldKudos:  kudosTiers(d.Kudos),
		"created":   d.Created,
	}
	if d.Solution != "" {
		f[fieldSolution+"_"+lang] = d.Solution
	}
	if d.Visible { // "did you mean" offers these words to anyone
		f[fieldWords] = d.Title + "\n" + strings.Join(d.Tags, " ")
	}
	if len(d.Hidden) > 0 {
		f[fieldHidden+"_"+lang] = strings.Join(d.Hidden, "\n")
	}
	return f
}

// Index is one node's search index: the generation that the directory's
// "current" file names. `schwarm reindex` builds a new generation beside it while
// this one serves, and the node switches to the new one once it is published.
type Index struct {
	root string

	// mu lets searches run while one holds it for reading; switching generations
	// takes it for writing, so no search ever runs on a closed index.
	mu        sync.RWMutex
	gen       int
	bleve     bleve.Index
	analyzers map[string]analysis.Analyzer // by language, and fieldGrams

	lensMu sync.Mutex
	lens   *fieldLengths // nil until read from the index

	counts termCounts
	hits   hitCache // valid at counts' epoch

	scoreLimit int // candidates a query scores at most; tests lower it
}

// newIndex wraps generation gen of root with the analyzers its queries need: a
// query is analysed here, word by word, to ask the index how common each word is.
func newIndex(root string, gen int, idx bleve.Index) (*Index, error) {
	ix := &Index{root: root, gen: gen, bleve: idx, analyzers: map[string]analysis.Analyzer{}, scoreLimit: scoreLimit}
	for key, name := range map[string]string{"en": analyzerEN, "de": analyzerDE, fieldGrams: analyzerGrams, fieldWords: analyzerWords} {
		a := idx.Mapping().AnalyzerNamed(name)
		if a == nil {
			idx.Close()
			return nil, fmt.Errorf("search: analyzer %s missing", name)
		}
		ix.analyzers[key] = a
	}
	if _, err := thesaurusDE(); err != nil { // built here, not by the first query
		idx.Close()
		return nil, fmt.Errorf("search: thesaurus: %w", err)
	}
	return ix, nil
}

// Generation is the number of the generation this index serves from.
func (ix *Index) Generation() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
}

// Epoch implements Backend: it moves with every batch applied and every
// generation adopted.
func (ix *Index) Epoch() uint64 { return ix.counts.current() }

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.bleve.Close()
}

// Position is the outbox position of the last record applied. Indexes from
// before positions carried a transaction are of an older mapping version and
// rebuilt on start, so every index read here wrote its position as a pair.
func (ix *Index) Position() (outbox.Position, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	v, err := ix.bleve.GetInternal([]byte(keyPosition))
	if err != nil || len(v) != 16 {
		return outbox.Position{}, err
	}
	return outbox.Position{Tx: binary.BigEndian.Uint64(v), ID: int64(binary.BigEndian.Uint64(v[8:]))}, nil
}

// Apply indexes docs, removes the threads in gone, and records position, in one
// batch: after a crash the index is behind, never ahead of what it says.
func (ix *Index) Apply(docs []Document, gone []int64, position outbox.Position) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	lens, err := ix.lengths()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	lens = lens.clone()
	b := ix.bleve.NewBatch()
	for _, d := range docs {
		f := d.fields()
		if err := b.Index(strconv.FormatInt(d.ThreadID, 10), f); err != nil {
			return fmt.Errorf("search: index thread %d: %w", d.ThreadID, err)
		}
		lens.add(ix, d.ThreadID, f)
	}
	for _, id := range gone {
		b.Delete(strconv.FormatInt(id, 10))
	}
	var pos [16]byte
	binary.BigEndian.PutUint64(pos[:], position.Tx)
	binary.BigEndian.PutUint64(pos[8:], uint64(position.ID))
	b.SetInternal([]byte(keyPosition), pos[:])
	v, err := json.Marshal(lens)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	b.SetInternal([]byte(keyLengths), v)
	err = ix.bleve.Batch(b)
	ix.counts.reset() // even after an error: the batch may have been applied in part
	if err != nil {
		return err
	}
	ix.lensMu.Lock()
	ix.lens = lens
	ix.lensMu.Unlock()
	return nil
}

// adopt makes next's generation the one ix serves from, closes the old one and
// removes its files. next must not be used afterwards.
func (ix *Index) adopt(next *Index) error {
	ix.mu.Lock()
	old, oldGen := ix.bleve, ix.gen
	ix.bleve, ix.gen, ix.analyzers = next.bleve, next.gen, next.analyzers
	ix.lensMu.Lock()
	ix.lens = nil // read from the new generation
	ix.lensMu.Unlock()
	ix.counts.reset()
	ix.mu.Unlock()
	if err := old.Close(); err != nil {
		return fmt.Errorf("search: close generation %d: %w", oldGen, err)
	}
	return removeOlder(ix.root, ix.gen)
}
