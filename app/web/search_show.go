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

const searchPerPage = 20

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
	p.Offset = min(max(c.QueryInt("offset"), 0), search.MaxFrom)
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return err
	}
	q := search.Query{Text: p.Query, BoardID: p.BoardID, Tag: p.Tag, Language: p.Language, SolvedOnly: p.SolvedOnly,
		Newest: p.Sort == "newest", From: p.Offset, Size: searchPerPage}
	if p.Within != "" {
		// To the minute: the same search again is the same query, which the
		// search keeps answers for.
		q.Since = s.Now().Add(-searchWithin[p.Within]).Truncate(time.Minute)
	}
	f, err := s.Search.Find(c.UserContext(), currentUser(c), q)
	if err != nil {
		return err
	}
	threads := make([]thread.Listed, len(f.Found))
	for i, found := range f.Found {
		threads[i] = found.Listed
	}
	p.listPage = listPage{Page: s.newPage(c, "search.title"), Boards: boards, List: &thread.ListPage{Threads: threads}, Tab: thread.TabLatest, renderRow: s.renderRow}
	p.Total, p.Count = f.Total, int(min(f.Total, 1<<31))
	p.PrevOffset = -1
	if p.Offset > 0 {
		p.PrevOffset = max(p.Offset-searchPerPage, 0)
	}
	if f.More && p.Offset+searchPerPage <= search.MaxFrom {
		p.NextOffset = p.Offset + searchPerPage
	}
	p.Rows = p.threadRows()
	for i, found := range f.Found {
		p.Rows[i].TitleHTML, p.Rows[i].Snippet = found.TitleHTML, found.Snippet
	}
	p.Correction, p.Unfiltered = f.Correction, int(min(f.Unfiltered, 1<<31))
	p.Head.Canonical = p.SearchURL(p.Offset) // not indexed: results are made for a reader, not a search engine
	return s.render(c, "search", p)
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
	// Asked says the text had words: none of the threads fit them, and the
	// page says so rather than leave the list silently empty.
	Asked bool
}

// suggestions finds up to n threads that may already answer text; solved threads
// rank higher.
//
// With an ask session the suggestions are counted as shown, and their links open in
// a new tab (the draft stays where it is) and count as clicked.
func (s *Server) suggestions(c *fiber.Ctx, text string, boardID int64, n int, askSession string) ([]suggestion, error) {
	lang := language(c)
	found, err := s.Search.Suggest(c.UserContext(), currentUser(c), search.Query{Text: text, BoardID: boardID, Size: n, Locale: lang})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	out := make([]suggestion, len(found))
	ids := make([]int64, len(found))
	for i, f := range found {
		out[i] = suggestion{ID: f.ID, Title: f.Title, URL: threadURL(&f.Thread), Solved: f.State == thread.StateSolved,
			Board: f.BoardName(lang), Excerpt: f.Excerpt, TitleHTML: f.TitleHTML, ExcerptHTML: f.ExcerptHTML}
		if askSession != "" {
			out[i].URL += "?ask=" + url.QueryEscape(askSession)
			out[i].NewTab = true
		}
		ids[i] = f.ID
	}
	s.recordDeflection(c, askSession, deflection.Shown, text, ids...)
	return out, nil
}

// suggest answers the ask page's script: existing threads for the title typed so
// far, as an HTML fragment, or JSON for Accept: application/json; n is at most 10,
// default 5. `schwarm eval` measures the same search.Searcher.Suggest directly.
func (s *Server) suggest(c *fiber.Ctx) error {
	n := min(max(c.QueryInt("n", 5), 1), 10)
	c.Set("X-Robots-Tag", "noindex") // a fragment has no <head> to say it in
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
	return s.render(c, "suggest", &suggestPage{Page: s.newPage(c, ""), Suggestions: found, Asked: len(search.Words(c.Query("q"))) > 0})
}
