// Package evaluate measures how well suggestions find existing answers: it loads an
// evaluation set (threads and new questions with their known answers, JSON lines)
// into a throw-away forum through the real write path, asks every question as a
// guest through Searcher.Suggest, the very function behind /suggest and the ask
// page, and scores the rankings. It also asks questions that no thread of the
// corpus answers, and counts those that get a suggestion all the same: each is
// a wrong answer offered to someone about to ask.
package evaluate

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/config"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Result is what `schwarm eval` prints.
type Result struct {
	RecallAt1 float64 `json:"recall_at_1"`
	RecallAt5 float64 `json:"recall_at_5"`
	MRRAt10   float64 `json:"mrr_at_10"`
	NDCGAt10  float64 `json:"ndcg_at_10"`
	P50ms     float64 `json:"p50_ms"`
	P95ms     float64 `json:"p95_ms"`
	P99ms     float64 `json:"p99_ms"`
	Queries   int     `json:"queries"`
	Corpus    int     `json:"corpus"`

	// The questions that no thread of the corpus answers: how many were
	// asked, how many got any suggestion and their share, and the
	// suggestions shown in all (of up to unansweredSize each).
	UnansweredSet       string  `json:"unanswered_set,omitempty"` // the file, or "built-in en"
	Unanswered          int     `json:"unanswered"`
	UnansweredSuggested int     `json:"unanswered_suggested"`
	UnansweredShare     float64 `json:"unanswered_suggested_share"`
	UnansweredShown     int     `json:"unanswered_suggestions"`
}

// Set names the files of an evaluation.
type Set struct {
	Corpus  string // threads, JSON lines
	Queries string // questions with the threads that answer them, JSON lines
	// Unanswered holds questions that no thread of Corpus answers, in the
	// format of Queries; "" takes the built-in set of the corpus's language,
	// NoUnanswered none.
	Unanswered string
}

// NoUnanswered as Set.Unanswered asks no unanswered questions.
const NoUnanswered = "none"

// builtin holds questions that the sets of ../shared/eval do not answer, by
// language, written for this from the topics of those sets (web apps and life
// in Qatar; computer help in German) and checked against their corpora: none
// of their threads answers any of them.
//
//go:embed testdata/unanswered_en.jsonl testdata/unanswered_de.jsonl
var builtin embed.FS

// unansweredSize is how many suggestions the ask page shows.
const unansweredSize = 5

type corpusLine struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Body    string   `json:"body"`
	Answer  string   `json:"answer"`
	Replies []string `json:"replies"`
	Tags    []string `json:"tags"`
}

type queryLine struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Relevant []string `json:"relevant"`
}

// readLines decodes the JSON lines of the file at path into T; a malformed line
// is reported with its number on warn and skipped.
func readLines[T any](path string, warn io.Writer) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeLines[T](path, f, warn)
}

func decodeLines[T any](path string, f io.Reader, warn io.Writer) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			fmt.Fprintf(warn, "%s:%d: skipped: %v\n", path, n, err)
			continue
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// Run evaluates set in a temporary forum; progress and skipped lines go to
// warn.
func Run(ctx context.Context, set Set, warn io.Writer) (*Result, error) {
	corpus, err := readLines[corpusLine](set.Corpus, warn)
	if err != nil {
		return nil, err
	}
	queries, err := readLines[queryLine](set.Queries, warn)
	if err != nil {
		return nil, err
	}
	unanswered, name, err := unansweredSet(set.Unanswered, corpus, warn)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "schwarm-eval-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	cfg.LogLevel = "warn"
	cfg.TrustReputation = 0 // the importing accounts are new, and nothing waits for review
	// Nor do the spam checks hold anything: the accounts are minutes old and post
	// the corpus's links, and a held question could not be answered or solved.
	cfg.SpamMaxLinks, cfg.SpamNewAccount.Duration, cfg.SpamRepeat.Duration, cfg.SpamBlockWords = 0, 0, 0, nil
	log := slog.New(slog.NewTextHandler(warn, &slog.HandlerOptions{Level: slog.LevelWarn}))
	params := user.PasswordParams{Memory: 1024, Time: 1, Threads: 1} // throw-away accounts
	a, err := app.New(ctx, cfg, log, app.Options{PasswordParams: &params})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return nil, err
	}
	byThread, err := load(ctx, a, corpus, warn)
	if err != nil {
		return nil, err
	}
	if err := a.OpenSearch(ctx); err != nil { // builds the search index from what was loaded
		return nil, err
	}
	r, err := score(ctx, a.Searcher, queries, byThread, len(corpus), warn)
	if err != nil {
		return nil, err
	}
	r.UnansweredSet = name
	r.Unanswered, r.UnansweredSuggested, r.UnansweredShown, err = countSuggested(ctx, a.Searcher, unanswered)
	if r.Unanswered > 0 {
		r.UnansweredShare = float64(r.UnansweredSuggested) / float64(r.Unanswered)
	}
	return r, err
}

// unansweredSet reads the unanswered questions of path, or for "" the built-in
// set of the language most of corpus is written in.
func unansweredSet(path string, corpus []corpusLine, warn io.Writer) ([]queryLine, string, error) {
	switch path {
	case NoUnanswered:
		return nil, "", nil
	case "":
		votes := map[string]int{}
		for _, c := range corpus {
			votes[thread.DetectLanguage(c.Title+" "+c.Body)]++
		}
		lang := "en"
		if votes["de"] > votes["en"] {
			lang = "de"
		}
		name := "testdata/unanswered_" + lang + ".jsonl"
		b, err := builtin.ReadFile(name)
		if err != nil {
			return nil, "", err
		}
		qs, err := decodeLines[queryLine](name, bytes.NewReader(b), warn)
		return qs, "built-in " + lang, err
	}
	qs, err := readLines[queryLine](path, warn)
	return qs, path, err
}

// countSuggested asks each of queries, as the ask page does, and counts the
// questions that got a suggestion and the suggestions shown.
func countSuggested(ctx context.Context, s search.Searcher, queries []queryLine) (asked, suggested, shown int, err error) {
	for _, q := range queries {
		found, err := s.Suggest(ctx, nil, search.Query{Text: cut(strings.TrimSpace(q.Title+" "+q.Body), 500), Size: unansweredSize})
		if err != nil {
			return 0, 0, 0, fmt.Errorf("unanswered query %s: %w", q.ID, err)
		}
		asked++
		if len(found) > 0 {
			suggested++
		}
		shown += len(found)
	}
	return asked, suggested, shown, nil
}

// load writes the corpus through the services people use: a question per line,
// its answer as the accepted solution and its replies as further answers.
func load(ctx context.Context, a *app.App, corpus []corpusLine, warn io.Writer) (map[int64]string, error) {
	mk := func(handle string) (*user.User, error) {
		return a.Users.Register(ctx, user.Registration{Handle: handle, Email: handle + "@eval.invalid", Password: "evaluation"})
	}
	asker, err := mk("asker")
	if err != nil {
		return nil, err
	}
	helper, err := mk("helper")
	if err != nil {
		return nil, err
	}
	b := &board.Board{Slug: "eval", NameEN: "Evaluation", NameDE: "Evaluation"}
	if err := a.Boards.Create(ctx, b); err != nil {
		return nil, err
	}
	byThread := make(map[int64]string, len(corpus))
	for _, c := range corpus {
		title, body := c.Title, c.Body
		// The sets have questions without a title (first posts only) or without a
		// body (title only); the forum needs both, so each stands in for the other.
		if utf8.RuneCountInString(strings.TrimSpace(title)) < thread.MinTitle {
			title = strings.TrimSpace(title + " " + cut(body, thread.MaxTitle))
		}
		title = cut(title, thread.MaxTitle)
		if strings.TrimSpace(body) == "" {
			body = c.Title
		}
		t, err := a.Threads.Create(ctx, asker, thread.Ask{BoardID: b.ID, Title: title, Body: body, Tags: strings.Join(c.Tags, ",")})
		if err != nil {
			fmt.Fprintf(warn, "corpus %s: skipped: %v\n", c.ID, err)
			continue
		}
		byThread[t.ID] = c.ID
		for i, answer := range append([]string{c.Answer}, c.Replies...) {
			if strings.TrimSpace(answer) == "" {
				continue
			}
			p, err := a.Threads.Reply(ctx, helper, t.ID, answer)
			if err != nil {
				fmt.Fprintf(warn, "corpus %s: answer skipped: %v\n", c.ID, err)
				continue
			}
			if i == 0 { // "answer" is the accepted solution
				if _, err := a.Threads.Accept(ctx, asker, p.ID); err != nil {
					fmt.Fprintf(warn, "corpus %s: solution not accepted: %v\n", c.ID, err)
				}
			}
		}
	}
	return byThread, nil
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// score asks every query for 10 suggestions and computes the metrics.
func score(ctx context.Context, s search.Searcher, queries []queryLine, byThread map[int64]string, corpus int, warn io.Writer) (*Result, error) {
	r := &Result{Corpus: corpus}
	var latencies []float64
	for _, q := range queries {
		if len(q.Relevant) == 0 {
			fmt.Fprintf(warn, "query %s: skipped: no relevant ids\n", q.ID)
			continue
		}
		text := strings.TrimSpace(q.Title + " " + q.Body)
		start := time.Now()
		found, err := s.Suggest(ctx, nil, search.Query{Text: cut(text, 500), Size: 10})
		latencies = append(latencies, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		ranking := make([]string, 0, len(found))
		for _, f := range found {
			ranking = append(ranking, byThread[f.ID])
		}
		rel := map[string]bool{}
		for _, id := range q.Relevant {
			rel[id] = true
		}
		hits := func(k int) float64 {
			n := 0
			for _, id := range ranking[:min(k, len(ranking))] {
				if rel[id] {
					n++
				}
			}
			return float64(n) / float64(len(rel))
		}
		r.RecallAt1 += hits(1)
		r.RecallAt5 += hits(5)
		var dcg, idcg float64
		for i, id := range ranking {
			if rel[id] {
				if dcg == 0 {
					r.MRRAt10 += 1 / float64(i+1)
				}
				dcg += 1 / math.Log2(float64(i+2))
			}
		}
		for i := range min(len(rel), 10) {
			idcg += 1 / math.Log2(float64(i+2))
		}
		r.NDCGAt10 += dcg / idcg
		r.Queries++
	}
	if r.Queries == 0 {
		return r, nil
	}
	n := float64(r.Queries)
	r.RecallAt1, r.RecallAt5, r.MRRAt10, r.NDCGAt10 = r.RecallAt1/n, r.RecallAt5/n, r.MRRAt10/n, r.NDCGAt10/n
	slices.Sort(latencies)
	pct := func(p float64) float64 { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	r.P50ms, r.P95ms, r.P99ms = pct(0.50), pct(0.95), pct(0.99)
	return r, nil
}

// String formats the result for people.
func (r *Result) String() string {
	s := "queries " + strconv.Itoa(r.Queries) + ", corpus " + strconv.Itoa(r.Corpus) + "\n" +
		fmt.Sprintf("Recall@1 %.3f  Recall@5 %.3f  MRR@10 %.3f  nDCG@10 %.3f\n", r.RecallAt1, r.RecallAt5, r.MRRAt10, r.NDCGAt10) +
		fmt.Sprintf("suggest latency p50 %.2f ms  p95 %.2f ms  p99 %.2f ms\n", r.P50ms, r.P95ms, r.P99ms)
	if r.Unanswered > 0 {
		s += fmt.Sprintf("unanswered (%s): %d of %d questions got a suggestion (%.1f %%), %d suggestions in all\n",
			r.UnansweredSet, r.UnansweredSuggested, r.Unanswered, 100*r.UnansweredShare, r.UnansweredShown)
	}
	return s
}
