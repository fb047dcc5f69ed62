package search

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"

	"github.com/schwarm/schwarm/app/outbox"
)

// TestPosition: the position survives a reopen, and an index that recorded only
// an outbox id, as before positions carried a transaction, resumes from that id
// without one (which re-reads the whole outbox on PostgreSQL; see outbox.Position).
func TestPosition(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	ix, err := Open(dir)
	if err != nil && !errors.Is(err, ErrRebuild) {
		t.Fatal(err)
	}
	check := func(when string, want outbox.Position) {
		t.Helper()
		if got, err := ix.Position(); err != nil || got != want {
			t.Errorf("%s: Position() = %+v, %v; want %+v", when, got, err, want)
		}
	}
	check("new index", outbox.Position{})
	var old [8]byte
	binary.BigEndian.PutUint64(old[:], 42)
	if err := ix.bleve.SetInternal([]byte(keyIDPosition), old[:]); err != nil {
		t.Fatal(err)
	}
	check("old index", outbox.Position{ID: 42})
	if err := ix.Apply(nil, nil, outbox.Position{Tx: 1 << 40, ID: 43}); err != nil {
		t.Fatal(err)
	}
	check("after Apply", outbox.Position{Tx: 1 << 40, ID: 43})
	if v, err := ix.bleve.GetInternal([]byte(keyIDPosition)); err != nil || v != nil {
		t.Errorf("the old position is left: %v, %v", v, err)
	}
	if err := ix.markBuilt(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Publish(); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	if ix, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	check("reopened", outbox.Position{Tx: 1 << 40, ID: 43})
}
