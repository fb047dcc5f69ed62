package evaluate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/user"
)

// fakeSearcher suggests as many threads for a text as it is told.
type fakeSearcher map[string]int

func (f fakeSearcher) Find(context.Context, *user.User, search.Query) (search.Results, error) {
	return search.Results{}, nil
}

func (f fakeSearcher) Suggest(_ context.Context, _ *user.User, q search.Query) ([]search.Suggestion, error) {
	return make([]search.Suggestion, min(f[q.Text], q.Size)), nil
}

func TestCountSuggested(t *testing.T) {
	s := fakeSearcher{"one": 1, "many": 9}
	tests := []struct {
		name                    string
		queries                 []queryLine
		asked, suggested, shown int
	}{
		{"none", nil, 0, 0, 0},
		{"nothing suggested", []queryLine{{ID: "a", Title: "nothing"}}, 1, 0, 0},
		{"title and body, as asked", []queryLine{{ID: "a", Title: "", Body: "one"}, {ID: "b", Title: "nothing"}}, 2, 1, 1},
		{"at most what the ask page shows", []queryLine{{ID: "a", Title: "many"}, {ID: "b", Title: "one"}}, 2, 2, unansweredSize + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked, suggested, shown, err := countSuggested(context.Background(), s, tt.queries)
			if err != nil {
				t.Fatal(err)
			}
			if asked != tt.asked || suggested != tt.suggested || shown != tt.shown {
				t.Errorf("got %d asked, %d suggested, %d shown; want %d, %d, %d", asked, suggested, shown, tt.asked, tt.suggested, tt.shown)
			}
		})
	}
}

// TestUnansweredSet: a file is read as given; without one, the built-in set of
// the corpus's language, each with at least 50 questions and none with an
// answer named.
func TestUnansweredSet(t *testing.T) {
	german := []corpusLine{{Body: "Der Rechner startet nicht mehr, was kann ich tun?"}, {Title: "Router keeps dropping"}, {Body: "Ich habe ein Problem mit dem Drucker"}}
	english := []corpusLine{{Title: "How do I delete my account?"}}
	for _, tt := range []struct {
		corpus []corpusLine
		want   string
	}{{german, "built-in de"}, {english, "built-in en"}} {
		qs, name, err := unansweredSet("", tt.corpus, os.Stderr)
		if err != nil || name != tt.want {
			t.Fatalf("set %q, %v; want %q", name, err, tt.want)
		}
		if len(qs) < 50 {
			t.Errorf("%s: %d questions, want at least 50", name, len(qs))
		}
		for _, q := range qs {
			if len(q.Relevant) != 0 || q.ID == "" || strings.TrimSpace(q.Title) == "" {
				t.Errorf("%s: %+v", name, q)
			}
		}
	}
	if qs, name, err := unansweredSet(NoUnanswered, english, os.Stderr); qs != nil || name != "" || err != nil {
		t.Errorf("none: %d questions, %q, %v", len(qs), name, err)
	}
	path := filepath.Join(t.TempDir(), "u.jsonl")
	os.WriteFile(path, []byte(`{"id": "u1", "title": "Unanswered", "relevant": []}`+"\n"), 0o644)
	var warn bytes.Buffer
	if qs, name, err := unansweredSet(path, english, &warn); len(qs) != 1 || name != path || err != nil {
		t.Errorf("file: %d questions, %q, %v", len(qs), name, err)
	}
}
