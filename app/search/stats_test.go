package search

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/outbox"
)

// TestTermCountsNeverKeepAStaleCount: a count read from a reader opened
// before a change is never remembered after it; otherwise a word that the
// change brought in would count as in no thread, and its thread would not be
// found until the next change.
func TestTermCountsNeverKeepAStaleCount(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil && !errors.Is(err, ErrRebuild) {
		t.Fatal(err)
	}
	defer ix.Close()
	epoch := ix.counts.current()
	adv, err := ix.bleve.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	old, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	// "qux": too short for grams or typo tolerance, so only its count finds it.
	doc := Document{ThreadID: 1, Title: "Qux box", Language: "en", Visible: true, Created: time.Now()}
	if err := ix.Apply([]Document{doc}, nil, outbox.Position{ID: 1}); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.count(old, epoch, fieldBody+"_en", "qux"); err != nil || n != 0 {
		t.Fatalf("count in the reader from before: %d, %v", n, err)
	}
	hits, _, err := ix.Search(context.Background(), Query{Text: "qux", Size: 10})
	if err != nil || len(hits) != 1 {
		t.Errorf("search after the change: %v, %v; want thread 1", hits, err)
	}
}
