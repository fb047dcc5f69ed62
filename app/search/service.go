package search

import (
	"context"
	"html/template"
	"slices"
	"sync"
	"time"

	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
)

// Searcher is search as its callers see it: the search page, the suggestions
// shown while a question is written, the API and `schwarm eval` all call it, so
// that each folds duplicates, filters and pages the same way.
type Searcher interface {
	// Find returns the page of up to q.Size results from the q.From-th on that
	// viewer may see, in rank order, with the query's words marked. q.Hidden is
	// ignored: staff find hidden threads, no one else does.
	Find(ctx context.Context, viewer *user.User, q Query) (Results, error)
	// Suggest returns up to q.Size threads that may already answer q.Text,
	// each with the first lines of its answer: only threads that fit the
	// question, and none when none does.
	Suggest(ctx context.Context, viewer *user.User, q Query) ([]Suggestion, error)
}

// Backend is a full-text index of threads as Service uses it. It knows
// documents, not permissions: it leaves out threads that are not Visible
// unless q.Hidden, and nothing else. Index is one; a backend holding nothing
// but thread ids and its own text, as an OpenSearch cluster would, can be one.
type Backend interface {
	// Search returns the hits from q.From on, best first, and the number of
	// all of them.
	Search(ctx context.Context, q Query) ([]Hit, uint64, error)
	// Correct proposes another spelling of text; ok is false if it has none.
	Correct(ctx context.Context, text string) (corrected string, ok bool, err error)
	// Marker marks query's words as Search matches them.
	Marker(query string) Marker
	// Epoch changes whenever what Search returns may have changed.
	Epoch() uint64
}

var (
	_ Backend  = (*Index)(nil)
	_ Searcher = (*Service)(nil)
)

// Results is a page of search results as a viewer sees them.
type Results struct {
	Found []Found
	Total uint64 // the results; the backend's hits, duplicates and all, when there are many
	More  bool   // results follow this page

	// When the first page is empty:
	Correction string // another spelling of the words that may find something; "" if none
	Unfiltered uint64 // the backend's hits for the words without the filters, when there were filters
}

// Found is one search result.
type Found struct {
	thread.Listed
	TitleHTML template.HTML // the title, with the query's words marked
	Snippet   template.HTML // the thread's text around the query's words, marked
}

// Suggestion is an existing thread offered while a question is being written.
type Suggestion struct {
	thread.Listed
	Excerpt string // the accepted solution's first lines, else the first answer's, else the question's
	// The title and excerpt as HTML with the typed words marked; where
	// neither holds one, ExcerptHTML is what does instead (the title of the
	// duplicate that led to the thread, the stretch of the thread that holds
	// the most), so that every suggestion shows why it was offered.
	TitleHTML, ExcerptHTML template.HTML
}

const (
	// MaxFrom is the deepest result a page may start at: a deep page costs
	// more than the first (see Service.find), and is not worth it.
	MaxFrom = 1000

	foldRounds   = 4 // see Service.find
	snippetBytes = 240
)

// Service implements Searcher on a Backend: the database loads and
// permission-checks the threads the backend finds.
type Service struct {
	backend Backend
	threads *thread.Service
	kept    keptAnswers
}

// keptAnswers are pages of results and suggestions as Find and Suggest
// returned them, kept while the backend's epoch stays and for at most
// keptAnswerAge: the same query again — many customers typing the same words
// during an outage, a reader paging back — costs no search and no loads. What
// the index does not hold (a thread's views, an author's new name) may show
// that late.
type keptAnswers struct {
	mu sync.Mutex
	m  map[answerKey]keptAnswer
}

type answerKey struct {
	suggest, staff bool
	q              Query
}

type keptAnswer struct {
	epoch       uint64
	at          time.Time
	results     Results
	suggestions []Suggestion
}

const (
	keptAnswerAge = 10 * time.Second
	maxKeptAnswer = 1_000 // pages of a few KB
)

type gateKey struct{}

// WithGate returns ctx with a gate that Find and Suggest pass through before
// they search, and leave once done: a bound on the searches running at once,
// which a kept answer does not need. An error from enter is returned as the
// search's.
func WithGate(ctx context.Context, enter func(context.Context) (leave func(), err error)) context.Context {
	return context.WithValue(ctx, gateKey{}, enter)
}

func enter(ctx context.Context) (func(), error) {
	if g, ok := ctx.Value(gateKey{}).(func(context.Context) (func(), error)); ok {
		return g(ctx)
	}
	return func() {}, nil
}

func (k *keptAnswers) get(key answerKey, epoch uint64) (keptAnswer, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	a, ok := k.m[key]
	return a, ok && a.epoch == epoch && time.Since(a.at) < keptAnswerAge
}

func (k *keptAnswers) put(key answerKey, a keptAnswer, now uint64) {
	if a.epoch != now {
		return // the index changed while it was found
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= maxKeptAnswer {
		k.m = make(map[answerKey]keptAnswer)
	}
	k.m[key] = a
}

// NewService returns a Service that finds threads with backend and loads them
// with threads.
func NewService(backend Backend, threads *thread.Service) *Service {
	return &Service{backend: backend, threads: threads}
}

// Find implements Searcher. A page that finds nothing from the first result on
// carries another spelling and, for a filtered query, the unfiltered count.
func (s *Service) Find(ctx context.Context, viewer *user.User, q Query) (Results, error) {
	staff := thread.CanModerate(viewer)
	q.Hidden = false
	key, epoch, at := answerKey{staff: staff, q: q}, s.backend.Epoch(), time.Now()
	if a, ok := s.kept.get(key, epoch); ok {
		return a.results, nil
	}
	leave, err := enter(ctx)
	if err != nil {
		return Results{}, err
	}
	r, err := s.findPage(ctx, staff, q)
	leave()
	if err == nil {
		s.kept.put(key, keptAnswer{epoch: epoch, at: at, results: r}, s.backend.Epoch())
	}
	return r, err
}

func (s *Service) findPage(ctx context.Context, staff bool, q Query) (Results, error) {
	threads, total, more, err := s.find(ctx, staff, q)
	if err != nil {
		return Results{}, err
	}
	r := Results{Found: make([]Found, len(threads)), Total: total, More: more}
	// A search shows what matches, however weakly: the reader asked for it, and
	// pages on; only suggestions, which nobody asked for, are cut (see relevant).
	if len(threads) > 0 {
		ids := make([]int64, len(threads))
		for i, t := range threads {
			ids[i] = t.ID
		}
		texts, err := s.threads.Texts(ctx, ids, 4*snippetBytes, staff)
		if err != nil {
			return Results{}, err
		}
		m := s.backend.Marker(q.Text)
		for i, t := range threads {
			r.Found[i] = Found{Listed: t.Listed, TitleHTML: m.Mark(t.Title), Snippet: m.Snippet(texts[t.ID], snippetBytes)}
		}
		return r, nil
	}
	if len(Words(q.Text)) == 0 || q.From > 0 {
		return r, nil
	}
	if r.Correction, _, err = s.backend.Correct(ctx, q.Text); err != nil {
		return Results{}, err
	}
	if q.filtered() {
		// Straight from the backend: it tells whether dropping the filters is
		// worth a click, and folding would cost a round of loads.
		if _, r.Unfiltered, err = s.backend.Search(ctx, Query{Text: q.Text, Size: 1, Hidden: staff}); err != nil {
			return Results{}, err
		}
	}
	return r, nil
}

// Suggest implements Searcher.
func (s *Service) Suggest(ctx context.Context, viewer *user.User, q Query) ([]Suggestion, error) {
	if len(Words(q.Text)) == 0 {
		return nil, nil
	}
	staff := thread.CanModerate(viewer)
	q.Hidden = false
	key, epoch, at := answerKey{suggest: true, staff: staff, q: q}, s.backend.Epoch(), time.Now()
	if a, ok := s.kept.get(key, epoch); ok {
		return a.suggestions, nil
	}
	leave, err := enter(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.suggest(ctx, staff, q)
	leave()
	if err == nil {
		s.kept.put(key, keptAnswer{epoch: epoch, at: at, suggestions: out}, s.backend.Epoch())
	}
	return out, err
}

// suggest finds the threads worth suggesting (see relevant), each showing a
// word of the question marked: in its title or its excerpt, or else in the
// title of the duplicate that led to it or the stretch of the thread that
// holds the most of them, shown in the excerpt's place. A thread with nothing to mark is left out, as a reader could not tell
// why it was offered, nor it from a wrong one.
func (s *Service) suggest(ctx context.Context, staff bool, q Query) ([]Suggestion, error) {
	want := max(q.Size, 0)
	q.Size = suggestPool * want
	found, _, _, err := s.find(ctx, staff, q)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	lang := thread.LanguageOf(q.Text)
	if lang == "" {
		lang = q.Locale
	}
	found = relevant(found, lang)
	if len(found) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(found))
	for i, t := range found {
		ids[i] = t.ID
	}
	excerpts, err := s.threads.Excerpts(ctx, ids)
	if err != nil {
		return nil, err
	}
	m := s.backend.Marker(q.Text)
	all := make([]Suggestion, len(found))
	var bare []int64 // nothing marked in title or excerpt
	for i, t := range found {
		all[i] = Suggestion{Listed: t.Listed, Excerpt: excerpts[t.ID], TitleHTML: m.Mark(t.Title), ExcerptHTML: m.Mark(excerpts[t.ID])}
		if !marked(all[i].TitleHTML) && !marked(all[i].ExcerptHTML) {
			// A thread found through a duplicate of it matched as the
			// duplicate asked, which is why it is offered.
			if via := m.Mark(t.via); marked(via) {
				all[i].ExcerptHTML = via
				continue
			}
			bare = append(bare, t.ID)
		}
	}
	if len(bare) > 0 {
		texts, err := s.threads.Texts(ctx, bare, 4*snippetBytes, staff)
		if err != nil {
			return nil, err
		}
		for i := range all {
			if text, ok := texts[all[i].ID]; ok && slices.Contains(bare, all[i].ID) {
				all[i].ExcerptHTML = m.Snippet(text, snippetBytes)
			}
		}
	}
	out := make([]Suggestion, 0, want)
	for _, sg := range all {
		if len(out) == want {
			break
		}
		if marked(sg.TitleHTML) || marked(sg.ExcerptHTML) {
			out = append(out, sg)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// find runs a search and loads the q.Size results from the q.From-th on: the
// threads found, in rank order, that the viewer may see, and whether more
// follow. Staff find hidden threads too.
//
// A thread closed as a duplicate gives way to its canonical thread, once; and
// that thread is often among the hits already, since duplicates are alike by
// nature and a common question gathers many. So a page of results takes more
// hits than it shows, and where it starts depends on every hit before it: find
// folds from the first hit on, asking the backend for twice the hits it needs,
// and again (up to foldRounds times) until it has enough. A deep page costs
// more than the first; MaxFrom bounds it.
func (s *Service) find(ctx context.Context, staff bool, q Query) (page []ranked, total uint64, more bool, err error) {
	q.Hidden = staff
	from, want := min(max(q.From, 0), MaxFrom), max(q.Size, 0)
	need := from + want + 1 // one more tells whether a page follows
	q.From, q.Size = 0, 2*need
	var results []ranked
	seen := map[int64]bool{} // the threads of results
	for round := 0; round < foldRounds && len(results) < need; round++ {
		hits, n, err := s.backend.Search(ctx, q)
		if err != nil {
			return nil, 0, false, err
		}
		total = n
		ids := make([]int64, len(hits))
		byID := make(map[int64]Hit, len(hits))
		for i, h := range hits {
			ids[i] = h.ThreadID
			byID[h.ThreadID] = h
		}
		listed, err := s.threads.ByIDs(ctx, ids, staff)
		if err != nil {
			return nil, 0, false, err
		}
		threads := make([]ranked, len(listed))
		for i, t := range listed {
			threads[i] = ranked{Listed: t, hit: byID[t.ID]}
		}
		folded, err := s.canonical(ctx, threads, staff, q, seen)
		if err != nil {
			return nil, 0, false, err
		}
		results = append(results, folded...)
		if len(hits) < q.Size {
			// Every hit is folded: the count is exact, without the
			// duplicates that a search for their canonical thread finds.
			total = uint64(len(results))
			break
		}
		q.From += len(hits)
	}
	return results[min(from, len(results)):min(from+want, len(results))], total, len(results) > from+want, nil
}

// ranked is a thread found, with the hit that found it: its own, or for a
// canonical thread that of the duplicate that led to it.
type ranked struct {
	thread.Listed
	hit Hit
	via string // for a canonical thread, the title of the duplicate that led to it
}

// canonical puts in place of each thread closed as a duplicate the thread it
// points to, once: that is where the answer is; but only where that thread
// passes the search's filters too (a "solved only" search shows no open
// thread, a board's search no thread of another board). It leaves out the
// threads in seen, and adds those it returns.
func (s *Service) canonical(ctx context.Context, threads []ranked, staff bool, q Query, seen map[int64]bool) ([]ranked, error) {
	var ids []int64
	for _, t := range threads {
		if t.DuplicateOf != nil {
			ids = append(ids, *t.DuplicateOf)
		}
	}
	byID := make(map[int64]thread.Listed, len(ids))
	if len(ids) > 0 {
		targets, err := s.threads.ByIDs(ctx, ids, staff)
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			byID[t.ID] = t
		}
	}
	out := make([]ranked, 0, len(threads))
	for _, t := range threads {
		if t.DuplicateOf != nil {
			target, ok := byID[*t.DuplicateOf]
			if ok && !q.Admits(Document{BoardID: target.BoardID, Tags: target.Tags, Language: target.Language,
				Solved: target.State == thread.StateSolved, Created: target.CreatedAt}) {
				continue
			}
			if ok {
				t.via, t.Listed = t.Title, target
			}
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out, nil
}
