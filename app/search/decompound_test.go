package search

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

func TestDecompound(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil && !errors.Is(err, ErrRebuild) {
		t.Fatal(err)
	}
	defer ix.Close()
	df := map[string]uint64{"prozessor": 40, "auslastung": 10, "virenprogramm": 80, "vir": 50, "programm": 90}
	count := func(term string) (uint64, error) { return df[term], nil }
	for _, c := range []struct {
		word string
		want []string
	}{
		{"Prozessorauslastung", []string{"prozessor", "auslastung"}},
		{"Virenprogramm", nil}, // used whole more than its parts are together
		{"Auslastung", nil},
		{"Drucker", nil},
	} {
		got, _, err := decompound(ix.analyzers["de"], count, c.word)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("decompound(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}
