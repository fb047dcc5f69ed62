package search_test

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/apptest"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/search"
)

// language is English two times in three, as in syntheticDocs.
func language(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return "de"
	}
	return "en"
}

func syntheticDocs(from, n int, seed uint64) []search.Document {
	r := rand.New(rand.NewPCG(seed, 7))
	docs := make([]search.Document, n)
	for i := range docs {
		lang := language(r)
		docs[i] = search.Document{ThreadID: int64(from + i + 1), Title: apptest.ZipfWords(r, lang, 6), Question: apptest.ZipfWords(r, lang, 40),
			Answers: []string{apptest.ZipfWords(r, lang, 30), apptest.ZipfWords(r, lang, 25)}, BoardID: int64(r.IntN(12) + 1), Language: lang,
			Solved: r.IntN(3) == 0, Visible: true, Created: time.Unix(int64(1_700_000_000+i*60), 0)}
	}
	return docs
}

// benchIndex returns an index of n synthetic threads, built once under the cache
// directory (SCHWARM_BENCH_CACHE overrides) and reused by later runs.
func benchIndex(b *testing.B, n int) (*search.Index, string) {
	b.Helper()
	root := os.Getenv("SCHWARM_BENCH_CACHE")
	if root == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			b.Fatal(err)
		}
		root = filepath.Join(cache, "schwarm-bench")
	}
	dir := filepath.Join(root, fmt.Sprintf("search-%d-v%d-zipf-stop", n, search.MappingVersion))
	ix, err := search.Open(dir)
	if err == nil {
		if pos, _ := ix.Position(); pos.ID == int64(n) {
			return ix, dir
		}
		ix.Close()
		os.RemoveAll(dir)
		ix, err = search.Open(dir)
	}
	if err != nil && err != search.ErrRebuild {
		b.Fatal(err)
	}
	for from := 0; from < n; from += 1000 {
		if err := ix.Apply(syntheticDocs(from, min(1000, n-from), uint64(from)), nil, outbox.Position{ID: int64(from + min(1000, n-from))}); err != nil {
			b.Fatal(err)
		}
	}
	if err := search.MarkBuilt(ix); err != nil {
		b.Fatal(err)
	}
	return ix, dir
}

func benchSuggest(b *testing.B, n int) {
	ix, dir := benchIndex(b, n)
	defer ix.Close()
	r := rand.New(rand.NewPCG(42, 42))
	var durations []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, _, err := ix.Search(context.Background(), search.Query{Text: apptest.ZipfWords(r, language(r), 4), Size: 10}); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
	var size int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	b.ReportMetric(float64(size)/1024/float64(n/1000), "KiB/1k-threads")
}

// BenchmarkSuggest10k and BenchmarkSuggest100k time one suggestion query (4 words,
// top 10) on indexes of 10k and 100k synthetic threads.
func BenchmarkSuggest10k(b *testing.B)  { benchSuggest(b, 10_000) }
func BenchmarkSuggest100k(b *testing.B) { benchSuggest(b, 100_000) }

// germanLexicon is the words of the German thesaurus in the order it lists
// them, drawn Zipf-like after the German stop words: real words, so that query
// words find synonyms as real questions' words do (the made-up words of the
// other benchmarks have none).
func germanLexicon(b *testing.B) []string {
	text, err := os.ReadFile(filepath.Join("thesaurus", "de.txt"))
	if err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	lexicon := slices.Clone(apptest.StopWords["de"])
	for _, w := range strings.Fields(string(text)) {
		if !seen[w] && len(lexicon) < 20_000 {
			seen[w] = true
			lexicon = append(lexicon, w)
		}
	}
	return lexicon
}

// BenchmarkSuggestGerman10k times German questions of 30 words, as a customer
// writes them, and titles of 4, on 10k German threads written in real words.
func BenchmarkSuggestGerman10k(b *testing.B) {
	lexicon := germanLexicon(b)
	draw := func(r *rand.Rand, n int) string {
		zipf := rand.NewZipf(r, 1.1, 1, uint64(len(lexicon)-1))
		w := make([]string, n)
		for i := range w {
			w[i] = lexicon[zipf.Uint64()]
		}
		return strings.Join(w, " ")
	}
	dir := filepath.Join(b.TempDir(), "index")
	ix, err := search.Open(dir)
	if err != nil && err != search.ErrRebuild {
		b.Fatal(err)
	}
	defer ix.Close()
	r := rand.New(rand.NewPCG(11, 11))
	for from := 0; from < 10_000; from += 1000 {
		docs := make([]search.Document, 1000)
		for i := range docs {
			docs[i] = search.Document{ThreadID: int64(from + i + 1), Title: draw(r, 6), Question: draw(r, 40),
				Answers: []string{draw(r, 30), draw(r, 25)}, Language: "de", Visible: true, Created: time.Unix(1_700_000_000, 0)}
		}
		if err := ix.Apply(docs, nil, outbox.Position{ID: int64(from + 1000)}); err != nil {
			b.Fatal(err)
		}
	}
	for _, n := range []int{4, 30} {
		b.Run(fmt.Sprintf("words=%d", n), func(b *testing.B) {
			var durations []time.Duration
			for b.Loop() {
				start := time.Now()
				if _, _, err := ix.Search(context.Background(), search.Query{Text: draw(r, n), Size: 10}); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			slices.Sort(durations)
			b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// BenchmarkIndexing indexes 2,000 threads in batches of 500 into a new index.
func BenchmarkIndexing(b *testing.B) {
	docs := syntheticDocs(0, 2000, 1)
	for b.Loop() {
		b.StopTimer()
		ix, err := search.Open(filepath.Join(b.TempDir(), "index"))
		if err != nil && err != search.ErrRebuild {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < len(docs); i += 500 {
			if err := ix.Apply(docs[i:i+500], nil, outbox.Position{ID: int64(i + 500)}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		ix.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "threads/s")
}
