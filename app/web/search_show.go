package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/search"
	"github.com/schwarm/schwarm/app/thread"
)

const searchPerPage = 20

type searchPage struct {
	listPage
	Query      string
	SolvedOnly bool
	BoardID    int64
	Total      uint64
	Count      int // Total, for the counted phrase
	Offset     int
	NextOffset int // 0 = no next page
}

// SearchURL links another page of these results.
func (p *searchPage) SearchURL(offset int) string {
	q := url.Values{"q": {p.Query}}
	if p.SolvedOnly {
		q.Set("solved", "1")
	}
	if p.BoardID != 0 {
		q.Set("board", strconv.FormatInt(p.BoardID, 10))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return "/search?" + q.Encode()
}

// findThreads runs a search and loads the threads it found, in rank order, that
// the viewer may see.
func (s *Server) findThreads(c *fiber.Ctx, q search.Query) ([]thread.Listed, uint64, error) {
	staff := thread.CanModerate(currentUser(c))
	q.Hidden = staff
	hits, total, err := s.Search.Search(q)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ThreadID
	}
	threads, err := s.Threads.ByIDs(c.UserContext(), ids, staff)
	return threads, total, err
}

func (s *Server) searchShow(c *fiber.Ctx) error {
	p := &searchPage{Query: c.Query("q"), SolvedOnly: c.Query("solved") != "", BoardID: int64(c.QueryInt("board"))}
	p.Offset = min(max(c.QueryInt("offset"), 0), 1000) // deep pages are not worth their cost
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return err
	}
	threads, total, err := s.findThreads(c, search.Query{Text: p.Query, BoardID: p.BoardID, SolvedOnly: p.SolvedOnly,
		From: p.Offset, Size: searchPerPage})
	if err != nil {
		return err
	}
	p.listPage = listPage{Page: s.newPage(c, "search.title"), Boards: boards, List: &thread.ListPage{Threads: threads}, Tab: thread.TabLatest}
	p.Total, p.Count = total, int(min(total, 1<<31))
	if uint64(p.Offset+searchPerPage) < total && p.Offset+searchPerPage <= 1000 {
		p.NextOffset = p.Offset + searchPerPage
	}
	p.Rows = p.threadRows()
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
	NewTab  bool   `json:"-"`
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
	threads, _, err := s.findThreads(c, search.Query{Text: text, BoardID: boardID, Size: n})
	if err != nil || len(threads) == 0 {
		return nil, err
	}
	ids := make([]int64, len(threads))
	for i, t := range threads {
		ids[i] = t.ID
	}
	excerpts, err := s.Threads.Excerpts(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	lang := language(c)
	out := make([]suggestion, len(threads))
	for i, t := range threads {
		out[i] = suggestion{ID: t.ID, Title: t.Title, URL: threadURL(&t.Thread), Solved: t.State == thread.StateSolved,
			Board: t.BoardName(lang), Excerpt: excerpts[t.ID]}
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
