package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/thread"
)

const (
	foldRounds      = 4 // see findThreads
	searchPerPage   = 20
	searchMaxOffset = 1000 // deep pages are not worth their cost
	snippetBytes    = 240
)

// searchWithin are the date filter's choices, newest first.
var searchWithin = map[string]time.Duration{"week": 7 * 24 * time.Hour, "month": 31 * 24 * time.Hour, "year": 366 * 24 * time.Hour}

type searchPage struct {
	listPage
	Query      string
	BoardID    int64
	Tag        string
	Language   string // "" = any
	Within     string // "", week, month, year
	Sort       string // "" = relevance, newest
	SolvedOnly bool
	Total      uint64
	Count      int // Total, for the counted phrase
	Offset     int
	PrevOffset int // -1 = no previous page
	NextOffset int // 0 = no next page

	// When nothing was found:
	Correction   string // another spelling that may find something
	Unfiltered   int    // matches without the filters, when filters were set
	WithinChoice []string
}

func (p *searchPage) filtered() bool {
	return p.BoardID != 0 || p.Tag != "" || p.Language != "" || p.Within != "" || p.SolvedOnly
}

// SearchURL links another page of these results.
func (p *searchPage) SearchURL(offset int) string {
	return p.url(p.Query, offset, true)
}

// CorrectionURL links the search for the corrected words, with the same filters.
func (p *searchPage) CorrectionURL() string { return p.url(p.Correction, 0, true) }

// UnfilteredURL links the same words without any filter.
func (p *searchPage) UnfilteredURL() string { return p.url(p.Query, 0, false) }

func (p *searchPage) url(text string, offset int, filters bool) string {
	q := url.Values{"q": {text}}
	if filters {
		if p.BoardID != 0 {
			q.Set("board", strconv.FormatInt(p.BoardID, 10))
		}
		for k, v := range map[string]string{"tag": p.Tag, "lang": p.Language, "within": p.Within} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if p.SolvedOnly {
			q.Set("solved", "1")
		}
	}
	if p.Sort != "" {
		q.Set("sort", p.Sort)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return "/search?" + q.Encode()
}

// searchResult is a page of search results as the viewer sees them.
type searchResult struct {
	Threads []thread.Listed
	Total   uint64 // the results; the index's hits, duplicates and all, when there are many
	More    bool   // results follow this page
}

// findThreads runs a search and loads the q.Size results from the q.From-th on:
// the threads found, in rank order, that the viewer may see. Staff find hidden
// threads too.
//
// A thread closed as a duplicate gives way to its canonical thread, once; and
// that thread is often among the hits already, since duplicates are alike by
// nature and a common question gathers many. So a page of results takes more
// hits than it shows, and where it starts depends on every hit before it:
// findThreads folds from the first hit on, asking the index for twice the hits
// it needs, and again (up to foldRounds times) until it has enough. A deep page
// costs more than the first; searchMaxOffset bounds it.
func (s *Server) findThreads(c *fiber.Ctx, q search.Query) (searchResult, error) {
	staff := thread.CanModerate(currentUser(c))
	q.Hidden = staff
	from, want := q.From, q.Size
	need := from + want + 1 // one more tells whether a page follows
	q.From, q.Size = 0, 2*need
	var r searchResult
	var results []thread.Listed
	seen := map[int64]bool{} // the threads of results
	for round := 0; round < foldRounds && len(results) < need; round++ {
		hits, total, err := s.Search.Search(c.UserContext(), q)
		if err != nil {
			return searchResult{}, err
		}
		r.Total = total
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.ThreadID
		}
		threads, err := s.Threads.ByIDs(c.UserContext(), ids, staff)
		if err != nil {
			return searchResult{}, err
		}
		folded, err := s.canonical(c, threads, staff, q, seen)
		if err != nil {
			return searchResult{}, err
		}
		results = append(results, folded...)
		if len(hits) < q.Size {
			// Every hit is folded: the count is exact, without the
			// duplicates that a search for their canonical thread finds.
			r.Total = uint64(len(results))
			break
		}
		q.From += len(hits)
	}
	r.More = len(results) > from+want
	r.Threads = results[min(from, len(results)):min(from+want, len(results))]
	return r, nil
}

// canonical puts in place of each thread closed as a duplicate the thread it
// points to, once: that is where the answer is; but only where that thread
// passes the search's filters too (a "solved only" search shows no open
// thread, a board's search no thread of another board). It leaves out the
// threads in seen, and adds those it returns.
func (s *Server) canonical(c *fiber.Ctx, threads []thread.Listed, staff bool, q search.Query, seen map[int64]bool) ([]thread.Listed, error) {
	var ids []int64
	for _, t := range threads {
		if t.DuplicateOf != nil {
			ids = append(ids, *t.DuplicateOf)
		}
	}
	byID := make(map[int64]thread.Listed, len(ids))
	if len(ids) > 0 {
		targets, err := s.Threads.ByIDs(c.UserContext(), ids, staff)
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			byID[t.ID] = t
		}
	}
	out := make([]thread.Listed, 0, len(threads))
	for _, t := range threads {
		if t.DuplicateOf != nil {
			target, ok := byID[*t.DuplicateOf]
			if ok && !q.Admits(search.Document{BoardID: target.BoardID, Tags: target.Tags, Language: target.Language,
				Solved: target.State == thread.StateSolved, Created: target.CreatedAt}) {
				continue
			}
			if ok {
				t = target
			}
		}
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *Server) searchShow(c *fiber.Ctx) error {
	p := &searchPage{Query: c.Query("q"), BoardID: int64(max(c.QueryInt("board"), 0)), SolvedOnly: c.Query("solved") != "",
		WithinChoice: []string{"week", "month", "year"}}
	// Unknown values are dropped, not refused: a hand-edited URL still searches.
	p.Tag = strings.ToLower(strings.TrimSpace(c.Query("tag")))
	if len(p.Tag) > 64 {
		p.Tag = ""
	}
	if l := c.Query("lang"); slices.Contains(s.I18n.Languages(), l) {
		p.Language = l
	}
	if _, ok := searchWithin[c.Query("within")]; ok {
		p.Within = c.Query("within")
	}
	if c.Query("sort") == "newest" {
		p.Sort = "newest"
	}
	p.Offset = min(max(c.QueryInt("offset"), 0), searchMaxOffset)
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return err
	}
	q := search.Query{Text: p.Query, BoardID: p.BoardID, Tag: p.Tag, Language: p.Language, SolvedOnly: p.SolvedOnly,
		Newest: p.Sort == "newest", From: p.Offset, Size: searchPerPage}
	if p.Within != "" {
		q.Since = s.Now().Add(-searchWithin[p.Within])
	}
	f, err := s.findThreads(c, q)
	if err != nil {
		return err
	}
	threads := f.Threads
	p.listPage = listPage{Page: s.newPage(c, "search.title"), Boards: boards, List: &thread.ListPage{Threads: threads}, Tab: thread.TabLatest}
	p.Total, p.Count = f.Total, int(min(f.Total, 1<<31))
	p.PrevOffset = -1
	if p.Offset > 0 {
		p.PrevOffset = max(p.Offset-searchPerPage, 0)
	}
	if f.More && p.Offset+searchPerPage <= searchMaxOffset {
		p.NextOffset = p.Offset + searchPerPage
	}
	p.Rows = p.threadRows()
	if len(threads) > 0 {
		if err := s.markRows(c, p.Rows, threads, p.Query); err != nil {
			return err
		}
	} else if len(search.Words(p.Query)) > 0 && p.Offset == 0 {
		if p.Correction, _, err = s.Search.Correct(c.UserContext(), p.Query); err != nil {
			return err
		}
		if p.filtered() {
			_, n, err := s.Search.Search(c.UserContext(), search.Query{Text: p.Query, Size: 1, Hidden: thread.CanModerate(currentUser(c))})
			if err != nil {
				return err
			}
			p.Unfiltered = int(min(n, 1<<31))
		}
	}
	return s.render(c, "search", p)
}

// markRows marks the query's words in the result titles and adds a snippet of
// each thread's text around them.
func (s *Server) markRows(c *fiber.Ctx, rows []threadRow, threads []thread.Listed, query string) error {
	ids := make([]int64, len(threads))
	for i, t := range threads {
		ids[i] = t.ID
	}
	texts, err := s.Threads.Texts(c.UserContext(), ids, 4*snippetBytes, thread.CanModerate(currentUser(c)))
	if err != nil {
		return err
	}
	m := s.Search.Marker(query)
	for i, t := range threads {
		rows[i].TitleHTML = m.Mark(t.Title)
		rows[i].Snippet = m.Snippet(texts[t.ID], snippetBytes)
	}
	return nil
}

// suggestion is one existing thread offered while a question is being written.
type suggestion struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Solved  bool   `json:"solved"`
	Board   string `json:"board"`
	Excerpt string `json:"excerpt"`
	// The title and excerpt as HTML with the typed words in <mark>.
	TitleHTML   template.HTML `json:"title_html"`
	ExcerptHTML template.HTML `json:"excerpt_html"`
	NewTab      bool          `json:"-"`
}

type suggestPage struct {
	Page
	Suggestions []suggestion
}

// suggestions finds up to n threads that may already answer text; solved threads
// rank higher.
//
// With an ask session the suggestions are counted as shown, and their links open in
// a new tab (the draft stays where it is) and count as clicked.
func (s *Server) suggestions(c *fiber.Ctx, text string, boardID int64, n int, askSession string) ([]suggestion, error) {
	if len(search.Words(text)) == 0 {
		return nil, nil
	}
	f, err := s.findThreads(c, search.Query{Text: text, BoardID: boardID, Size: n})
	if err != nil || len(f.Threads) == 0 {
		return nil, err
	}
	threads := f.Threads
	ids := make([]int64, len(threads))
	for i, t := range threads {
		ids[i] = t.ID
	}
	excerpts, err := s.Threads.Excerpts(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	lang := language(c)
	m := s.Search.Marker(text)
	out := make([]suggestion, len(threads))
	for i, t := range threads {
		out[i] = suggestion{ID: t.ID, Title: t.Title, URL: threadURL(&t.Thread), Solved: t.State == thread.StateSolved,
			Board: t.BoardName(lang), Excerpt: excerpts[t.ID], TitleHTML: m.Mark(t.Title), ExcerptHTML: m.Mark(excerpts[t.ID])}
		if askSession != "" {
			out[i].URL += "?ask=" + url.QueryEscape(askSession)
			out[i].NewTab = true
		}
	}
	s.recordDeflection(c, askSession, deflection.Shown, text, ids...)
	return out, nil
}

// suggest answers the ask page's script: existing threads for the title typed so
// far, as an HTML fragment, or JSON for Accept: application/json. n (at most 10,
// default 5) is for `schwarm eval`, which measures this very path.
func (s *Server) suggest(c *fiber.Ctx) error {
	n := min(max(c.QueryInt("n", 5), 1), 10)
	found, err := s.suggestions(c, c.Query("q"), int64(c.QueryInt("board")), n, c.Query("s"))
	if err != nil {
		return err
	}
	if c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		if found == nil {
			found = []suggestion{}
		}
		return c.JSON(found)
	}
	return s.render(c, "suggest", &suggestPage{Page: s.newPage(c, ""), Suggestions: found})
}
