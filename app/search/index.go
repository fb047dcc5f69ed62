package search

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
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

	mu   sync.Mutex
	lens *fieldLengths // nil until read from the index
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
		lens.add(ix, f)
	}
	for _, id := range gone {
		b.Delete(strconv.FormatInt(id, 10))
	}
	var pos [8]byte
	binary.BigEndian.PutUint64(pos[:], uint64(position))
	b.SetInternal([]byte(keyPosition), pos[:])
	v, err := json.Marshal(lens)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	b.SetInternal([]byte(keyLengths), v)
	if err := ix.bleve.Batch(b); err != nil {
		return err
	}
	ix.mu.Lock()
	ix.lens = lens
	ix.mu.Unlock()
	return nil
}
