package search

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/schwarm/schwarm/app/outbox"
)

func TestWordTokenizer(t *testing.T) {
	var got []string
	for _, tok := range (wordTokenizer{}).Tokenize([]byte("TR/Virtumod.WS, don't\xffz.B. Größe \uFFFDv1.2")) {
		got = append(got, string(tok.Term))
	}
	want := []string{"TR", "Virtumod", "WS", "don", "t", "z", "B", "Größe", "v1", "2"}
	if !slices.Equal(got, want) {
		t.Fatalf("tokens %q, want %q", got, want)
	}
}

// A word joined to the next by a dot or a slash is found by itself, as the
// query splits it.
func TestJoinedWordsFound(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil && !errors.Is(err, ErrRebuild) {
		t.Fatal(err)
	}
	defer ix.Close()
	docs := []Document{
		{ThreadID: 1, Title: "Antivir meldet einen Trojaner", Question: "Antivir meldet TR/Virtumod.WS immer wieder.", Language: "de", Visible: true},
		{ThreadID: 2, Title: "Drucker druckt nicht", Question: "Mein Drucker druckt seit gestern nichts mehr.", Language: "de", Visible: true},
	}
	if err := ix.Apply(docs, nil, outbox.Position{ID: 1}); err != nil {
		t.Fatal(err)
	}
	hits, _, err := ix.Search(context.Background(), Query{Text: "Virtumod", Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ThreadID != 1 {
		t.Fatalf("hits %v, want thread 1 first", hits)
	}
}
