package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// An index directory holds numbered generations, each a complete bleve index
// (g1, g2, …), and a file "current" naming the one to serve. A new generation is
// filled while the current one serves and is published by replacing "current"
// with a rename, which is atomic: a reader sees the old name or the new one,
// never a half-written index.
const currentFile = "current"

// runtimeConfig makes a second process fail to open a node's index after a few
// seconds instead of waiting for its lock forever. A new map every time: bleve
// writes the store's path into the map it is given and keeps it, so a shared
// one would send the next open to the previous index.
func runtimeConfig() map[string]any { return map[string]any{"bolt_timeout": "3s"} }

const (
	keyVersion = "mapping_version"
	// keyPosition holds the outbox.Position applied last: transaction and id.
	keyPosition = "outbox_txid_position"
)

// ErrRebuild means the index is new or was built with another mapping: it comes
// with a new, empty generation that must be filled from the database (see
// Indexer.Rebuild), which publishes it.
var ErrRebuild = errors.New("search: index needs a rebuild")

// Open opens the current generation of the index in root, creating root if
// needed, and removes generations older than it. Without a usable current
// generation (none yet, another mapping version, an interrupted rebuild) it
// returns a new empty one with ErrRebuild.
func Open(root string) (*Index, error) {
	// Sessions before generations kept one bleve index directly in root.
	if _, err := os.Stat(filepath.Join(root, "index_meta.json")); err == nil {
		if err := os.RemoveAll(root); err != nil {
			return nil, fmt.Errorf("search: remove index of the old layout: %w", err)
		}
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	gen, err := published(root)
	if err != nil {
		return nil, err
	}
	if gen > 0 {
		ix, err := openGeneration(root, gen)
		if err == nil {
			return ix, removeOlder(root, gen)
		}
		if !errors.Is(err, ErrRebuild) {
			return nil, err
		}
	}
	ix, err := NewGeneration(root)
	if err != nil {
		return nil, err
	}
	return ix, ErrRebuild
}

// NewGeneration creates an empty generation in root, numbered above every
// generation there, that nobody serves until a rebuild fills and publishes it.
func NewGeneration(root string) (*Index, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	gens, err := generations(root)
	if err != nil {
		return nil, err
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	gen := 1
	if len(gens) > 0 {
		gen = gens[len(gens)-1] + 1
	}
	for ; ; gen++ { // another process may take a number at the same moment
		idx, err := bleve.NewUsing(genDir(root, gen), m, scorch.Name, scorch.Name, runtimeConfig())
		if errors.Is(err, bleve.ErrorIndexPathExists) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("search: create index generation %d in %s: %w", gen, root, err)
		}
		return newIndex(root, gen, idx)
	}
}

// openGeneration opens generation gen; ErrRebuild if it was built with another
// mapping version or its build never finished.
func openGeneration(root string, gen int) (*Index, error) {
	idx, err := bleve.OpenUsing(genDir(root, gen), runtimeConfig())
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, ErrRebuild
	}
	if err != nil {
		return nil, fmt.Errorf("search: open index %s (is another schwarm process using this data directory?): %w", genDir(root, gen), err)
	}
	v, err := idx.GetInternal([]byte(keyVersion))
	if err != nil || string(v) != strconv.Itoa(MappingVersion) {
		idx.Close()
		return nil, ErrRebuild
	}
	return newIndex(root, gen, idx)
}

// markBuilt records the mapping version once a rebuild is complete: a generation
// whose rebuild was interrupted has none and is never served.
func (ix *Index) markBuilt() error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ix.bleve.SetInternal([]byte(keyVersion), []byte(strconv.Itoa(MappingVersion))); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// Publish makes the generation ix serves from, once rebuilt, the current one, and
// removes the generations before it. For the process that serves from it;
// `schwarm reindex` closes its generation first and calls Publish on the root.
func (ix *Index) Publish() error {
	gen := ix.Generation()
	if err := Publish(ix.root, gen); err != nil {
		return err
	}
	return removeOlder(ix.root, gen)
}

// Publish names gen as the current generation of root, atomically and durably,
// unless a newer one was published meanwhile: the pointer never goes back.
func Publish(root string, gen int) error {
	if cur, err := published(root); err != nil || cur >= gen {
		return err
	}
	f, err := os.CreateTemp(root, currentFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("search: publish generation %d: %w", gen, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone after the rename; left over only on failure
	_, err = fmt.Fprintf(f, "%d\n", gen)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(root, currentFile))
	}
	if err == nil {
		err = syncDir(root)
	}
	if err != nil {
		return fmt.Errorf("search: publish generation %d: %w", gen, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// published is the current generation of root, 0 if none was published yet.
func published(root string) (int, error) {
	b, err := os.ReadFile(filepath.Join(root, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	gen, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || gen < 1 {
		return 0, nil // a damaged pointer: rebuild rather than refuse to start
	}
	return gen, nil
}

func genDir(root string, gen int) string { return filepath.Join(root, "g"+strconv.Itoa(gen)) }

// generations lists the generation numbers in root, ascending.
func generations(root string) ([]int, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var gens []int
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "g"); ok && e.IsDir() {
			if gen, err := strconv.Atoi(n); err == nil && gen > 0 {
				gens = append(gens, gen)
			}
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// removeOlder removes the generations below gen: replaced ones, and builds that
// were interrupted before a newer one was published. Newer ones may still be
// being built by `schwarm reindex`.
func removeOlder(root string, gen int) error {
	gens, err := generations(root)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g < gen {
			if err := os.RemoveAll(genDir(root, g)); err != nil {
				return fmt.Errorf("search: remove old generation %d: %w", g, err)
			}
		}
	}
	return nil
}
