package search

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// keyLengths holds fieldLengths in the index's internal store.
const keyLengths = "field_lengths"

// fieldLengths counts, per text field, the tokens and the threads that hold
// the field, over every version of a thread ever indexed. BM25 needs a field's
// mean length; bleve does not keep it (what it uses in its place is the size
// of the field's dictionary per document, which grows with the vocabulary, not
// with the text). Counting versions instead of current threads keeps the count
// a sum that Apply can extend without reading old versions; a mean of what was
// written is as good an estimate as a mean of what is there.
type fieldLengths struct {
	Tokens map[string]float64 `json:"tokens"`
	Docs   map[string]float64 `json:"docs"`
}

// mean is the mean length of field in tokens, and false while no thread has it.
func (l *fieldLengths) mean(field string) (float64, bool) {
	if l == nil || l.Docs[field] == 0 {
		return 0, false
	}
	return max(l.Tokens[field]/l.Docs[field], 1), true
}

// Analysing a field a second time to count it costs as much as indexing it:
// once a field's mean rests on lengthSample threads, only one thread in
// lengthEvery (by id) adds to it, which keeps the mean as good and indexing fast.
const (
	lengthSample = 250
	lengthEvery  = 8
)

// add counts the text fields of thread id's fields f as analysed for the index;
// only those BM25 scores (see score.go).
func (l *fieldLengths) add(ix *Index, id int64, f map[string]any) {
	for field, v := range f {
		text, ok := v.(string)
		if !ok || text == "" || field == fieldWords || strings.HasPrefix(field, fieldHidden+"_") {
			continue
		}
		if l.Docs[field] >= lengthSample && id%lengthEvery != 0 {
			continue
		}
		key := field // grams, or a language's field: title_en
		if i := strings.LastIndexByte(field, '_'); i >= 0 {
			key = field[i+1:]
		}
		a := ix.analyzers[key]
		if a == nil {
			continue
		}
		l.Tokens[field] += float64(len(a.Analyze([]byte(text))))
		l.Docs[field]++
	}
}

func (l *fieldLengths) clone() *fieldLengths {
	c := &fieldLengths{Tokens: map[string]float64{}, Docs: map[string]float64{}}
	if l != nil {
		maps.Copy(c.Tokens, l.Tokens)
		maps.Copy(c.Docs, l.Docs)
	}
	return c
}

// lengths returns the field lengths recorded in the index, read once.
func (ix *Index) lengths() (*fieldLengths, error) {
	ix.lensMu.Lock()
	defer ix.lensMu.Unlock()
	if ix.lens != nil {
		return ix.lens, nil
	}
	v, err := ix.bleve.GetInternal([]byte(keyLengths))
	if err != nil {
		return nil, err
	}
	l := (&fieldLengths{}).clone()
	if len(v) > 0 {
		if err := json.Unmarshal(v, l); err != nil {
			return nil, err
		}
	}
	ix.lens = l
	return l, nil
}

// avgLen is the mean length of field for BM25, with a stand-in while the
// index holds no thread with the field (a query then finds nothing there).
func (ix *Index) avgLen(field string) (float64, error) {
	l, err := ix.lengths()
	if err != nil {
		return 0, err
	}
	if m, ok := l.mean(field); ok {
		return m, nil
	}
	return 1, nil
}

// termCounts remembers how many threads hold a term in a field. Planning a
// query asks this of every word, of each split of a compound and of every
// 4-gram, and the same words come back query after query; each question costs
// a dictionary lookup and a postings header per segment, a quarter of a
// suggestion's time at 100k threads. Apply empties it, so a count is never
// older than the index.
type termCounts struct {
	mu    sync.Mutex
	epoch uint64 // changes with every reset
	m     map[string]uint64
}

// maxTermCounts bounds the memory held: about 100 bytes an entry.
const maxTermCounts = 200_000

// current is the epoch to pass to put: read it before the index reader that
// the counts come from is opened, so a count read from an index that Apply
// has changed since is never kept.
func (c *termCounts) current() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *termCounts) get(key string) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.m[key]
	return n, ok
}

func (c *termCounts) put(epoch uint64, key string, n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if c.m == nil || len(c.m) >= maxTermCounts {
		c.m = map[string]uint64{}
	}
	c.m[key] = n
}

func (c *termCounts) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.m = nil
}

// count is how many threads of r hold term in field. epoch is
// ix.counts.current() as read before r was opened.
func (ix *Index) count(r index.IndexReader, epoch uint64, field, term string) (uint64, error) {
	key := field + "\x00" + term
	if n, ok := ix.counts.get(key); ok {
		return n, nil
	}
	tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	n := tfr.Count()
	if err := tfr.Close(); err != nil {
		return 0, err
	}
	ix.counts.put(epoch, key, n)
	return n, nil
}
