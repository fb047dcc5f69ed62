package search

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/schwarm/schwarm/app/outbox"
)

// TestPosition: the position, transaction and id, survives a reopen.
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
	if err := ix.Apply(nil, nil, outbox.Position{Tx: 1 << 40, ID: 43}); err != nil {
		t.Fatal(err)
	}
	check("after Apply", outbox.Position{Tx: 1 << 40, ID: 43})
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
