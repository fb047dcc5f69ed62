package evaluate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schwarm/schwarm/app/evaluate"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.jsonl")
	queries := filepath.Join(dir, "queries.jsonl")
	os.WriteFile(corpus, []byte(`{"id": "a", "title": "Router keeps dropping the wifi connection", "body": "", "answer": "Change the channel."}
this line is not JSON
{"id": "b", "title": "", "body": "Meine Rechnung ist doppelt abgebucht worden, was kann ich tun?", "replies": ["Bei der Hotline anrufen."]}
{"id": "c", "title": "Roaming in Switzerland", "body": "Is it included?", "tags": ["roaming"], "unknown": 1}
`), 0o644)
	os.WriteFile(queries, []byte(`{"id": "q1", "title": "wifi keeps dropping", "body": "", "relevant": ["a"]}
{"id": "q2", "title": "", "body": "Rechnung doppelt abgebucht", "relevant": ["b"]}
{"id": "q3", "title": "no relevant ids"}
{broken
`), 0o644)
	unanswered := filepath.Join(dir, "unanswered.jsonl")
	os.WriteFile(unanswered, []byte(`{"id": "u1", "title": "How do I renew my passport at the embassy?", "body": "", "relevant": []}
{"id": "u2", "title": "Roaming in Switzerland", "body": "", "relevant": []}
`), 0o644)
	var warn bytes.Buffer
	r, err := evaluate.Run(context.Background(), evaluate.Set{Corpus: corpus, Queries: queries, Unanswered: unanswered}, &warn)
	if err != nil {
		t.Fatal(err)
	}
	if r.Corpus != 3 || r.Queries != 2 {
		t.Errorf("corpus %d, queries %d; want 3 and 2", r.Corpus, r.Queries)
	}
	if r.RecallAt1 != 1 || r.MRRAt10 != 1 || r.NDCGAt10 != 1 {
		t.Errorf("obvious queries not found first: %+v", r)
	}
	// The second "unanswered" question is a thread's title: counted as
	// suggested, as the set claims no thread answers it.
	if r.Unanswered != 2 || r.UnansweredSuggested != 1 || r.UnansweredShare != 0.5 || r.UnansweredSet != unanswered {
		t.Errorf("unanswered: %d asked, %d suggested (%.2f) from %q; want 2, 1 (0.50) from the file", r.Unanswered, r.UnansweredSuggested, r.UnansweredShare, r.UnansweredSet)
	}
	for _, want := range []string{"corpus.jsonl:2: skipped", "queries.jsonl:4: skipped", "q3: skipped"} {
		if !strings.Contains(warn.String(), want) {
			t.Errorf("warnings lack %q:\n%s", want, warn.String())
		}
	}
}

// TestRunImportsLinksAndRepeats: the corpus's accounts are minutes old, and real
// answers hold links and repeat themselves; none of it is held for review, so
// every answer is imported and every solution accepted.
func TestRunImportsLinksAndRepeats(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.jsonl")
	queries := filepath.Join(dir, "queries.jsonl")
	answer := "See [the guide](https://help.example/a), [this](https://help.example/b), [that](https://help.example/c) and [more](https://help.example/d)."
	os.WriteFile(corpus, []byte(`{"id": "a", "title": "Router keeps dropping the wifi connection", "body": "Links: https://example.com", "answer": "`+strings.ReplaceAll(answer, `"`, `\"`)+`"}
{"id": "b", "title": "Wifi drops every evening at eight", "body": "Same here.", "answer": "`+strings.ReplaceAll(answer, `"`, `\"`)+`", "replies": ["Thanks!", "Thanks!"]}
`), 0o644)
	os.WriteFile(queries, []byte(`{"id": "q1", "title": "router wifi connection dropping", "body": "", "relevant": ["a"]}
`), 0o644)
	var warn bytes.Buffer
	if _, err := evaluate.Run(context.Background(), evaluate.Set{Corpus: corpus, Queries: queries}, &warn); err != nil {
		t.Fatal(err)
	}
	if warn.Len() != 0 {
		t.Errorf("warnings while importing:\n%s", warn.String())
	}
}
