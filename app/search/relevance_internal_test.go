package search

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRelevant: a thread is suggested when it holds enough of the question,
// strongly enough and near the best hit; one in another language only when it
// matches well; an unknown language holds no thread to the stricter bar.
func TestRelevant(t *testing.T) {
	hit := func(id int64, lang string, score, strength float64, held, known int) ranked {
		r := ranked{hit: Hit{ThreadID: id, Score: score, Strength: strength, Held: held, Known: known}}
		r.ID, r.Language = id, lang
		return r
	}
	tests := []struct {
		name  string
		lang  string
		found []ranked
		want  []int64
	}{
		{"no good match: one common word of several", "en", []ranked{
			hit(1, "en", 9, 0.5, 1, 4), hit(2, "en", 8, 0.45, 1, 4), hit(3, "en", 2, 0.1, 1, 4),
		}, nil},
		{"nothing known holds nothing", "en", []ranked{hit(1, "en", 3, 0.5, 0, 0)}, nil},
		{"a fitting thread, and the weak ones below it left out", "en", []ranked{
			hit(1, "en", 30, 1.6, 3, 3), hit(2, "en", 20, 0.9, 2, 3), hit(3, "en", 8, 0.6, 2, 3), hit(4, "en", 14, 0.3, 2, 3),
		}, []int64{1, 2}},
		{"one word, held strongly", "en", []ranked{hit(1, "en", 12, 1.3, 1, 3), hit(2, "en", 11, 0.9, 1, 3)}, []int64{1}},
		{"a one-word question", "en", []ranked{hit(1, "en", 5, 0.7, 1, 1)}, []int64{1}},
		{"another language: a strong match", "en", []ranked{hit(1, "de", 30, 1.5, 3, 3), hit(2, "en", 25, 1.1, 3, 3)}, []int64{1, 2}},
		{"another language: a weak match, fine in the question's own", "en", []ranked{
			hit(1, "en", 20, 1.2, 3, 4), hit(2, "de", 18, 0.9, 2, 4), hit(3, "en", 17, 0.8, 2, 4),
		}, []int64{1, 3}},
		{"another language: one word, however strong", "de", []ranked{hit(1, "de", 20, 1.5, 2, 3), hit(2, "en", 19, 2, 1, 3)}, []int64{1}},
		{"another language: far below the best", "de", []ranked{hit(1, "de", 40, 2, 4, 4), hit(2, "en", 20, 1.2, 4, 4)}, []int64{1}},
		{"a question of no known language", "", []ranked{hit(1, "en", 20, 1.2, 3, 4), hit(2, "de", 18, 0.9, 2, 4)}, []int64{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, r := range relevant(tt.found, tt.lang) {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("relevant (-want +got):\n%s", diff)
			}
		})
	}
}
