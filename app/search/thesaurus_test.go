package search

import (
	"slices"
	"testing"
)

func TestSynonymsDE(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(analyzerDE)
	analyse := func(w string) string {
		tokens := a.Analyze([]byte(w))
		if len(tokens) != 1 {
			t.Fatalf("%q analyses to %d terms", w, len(tokens))
		}
		return string(tokens[0].Term)
	}
	th, err := thesaurusDE()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		word      string
		want, not []string
	}{
		{"Rechner", []string{"Computer", "PC"}, nil},
		{"Festplatten", []string{"HDD"}, nil}, // inflected as a query has it
		{"Hauptprozessor", []string{"CPU", "Prozessor"}, nil},
		{"Schadprogramm", []string{"Malware", "Schadsoftware"}, []string{"Software"}}, // no broader terms
		{"Festplatte", []string{"HDD"}, []string{"Gerät"}},
		{"Elektronenhirn", []string{"Computer"}, []string{"Elektronengehirn"}}, // no words out of use
	} {
		got := th.synonyms(analyse(c.word))
		for _, w := range c.want {
			if !slices.Contains(got, analyse(w)) {
				t.Errorf("synonyms of %q = %q, want %q among them", c.word, got, analyse(w))
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, analyse(w)) {
				t.Errorf("synonyms of %q = %q, want no %q", c.word, got, analyse(w))
			}
		}
	}
}
