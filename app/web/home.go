package web

import (
	"errors"
	"html/template"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/thread"
)

type listPage struct {
	Page
	Board  *board.Board // nil on the front page
	Boards []board.Board
	List   *thread.ListPage
	Tab    string
	Tabs   []string
	Tag    string
	Rows   []threadRow

	watch     func() watchButton
	renderRow func(threadRow) (template.HTML, error)
}

// WatchTarget is what the list's watch button follows: its board, or the tag
// it is filtered by on the front page; "" for none.
func (p *listPage) WatchTarget() string {
	switch {
	case p.Board != nil:
		return notify.TargetBoard
	case p.Tag != "":
		return notify.TargetTag
	}
	return ""
}

// WatchKey names the WatchTarget in the watch form: the board's slug, the tag.
func (p *listPage) WatchKey() string {
	if p.Board != nil {
		return p.Board.Slug
	}
	return p.Tag
}

// WatchButton is the list's watch button for the viewer.
func (p *listPage) WatchButton() watchButton { return p.watch() }

// TabURL links a tab of this list, keeping the tag filter.
func (p *listPage) TabURL(tab string) string { return p.listURL(tab, p.Tag, "") }

// NextURL links the following page.
func (p *listPage) NextURL() string { return p.listURL(p.Tab, p.Tag, p.List.Next) }

// TagURL links this list filtered by tag ("" clears the filter).
func (p *listPage) TagURL(tag string) string { return p.listURL(p.Tab, tag, "") }

func (p *listPage) listURL(tab, tag, after string) string {
	base := "/"
	if p.Board != nil {
		base = "/b/" + p.Board.Slug
	}
	q := url.Values{}
	if tab != thread.TabLatest {
		q.Set("tab", tab)
	}
	if tag != "" {
		q.Set("tag", tag)
	}
	if after != "" {
		q.Set("after", after)
	}
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

func (s *Server) home(c *fiber.Ctx) error {
	return s.forGuests(c, func() error { return s.threadList(c, nil) })
}

func (s *Server) boardShow(c *fiber.Ctx) error {
	return s.forGuests(c, func() error {
		b, err := s.Boards.GetBySlug(c.UserContext(), c.Params("slug"))
		if err != nil {
			return err
		}
		return s.threadList(c, b)
	})
}

// threadList renders the front page (b == nil) or a board page: one tab, optionally
// filtered by tag, one keyset page.
func (s *Server) threadList(c *fiber.Ctx, b *board.Board) error {
	tab := c.Query("tab", thread.TabLatest)
	if !slices.Contains(thread.Tabs, tab) {
		tab = thread.TabLatest
	}
	q := thread.Query{Tab: tab, Tag: c.Query("tag"), Cursor: c.Query("after"), Limit: 30}
	if b != nil {
		q.BoardID = b.ID
	}
	list, err := s.Threads.List(c.UserContext(), q)
	if errors.Is(err, thread.ErrBadCursor) {
		return fiber.NewError(fiber.StatusBadRequest, "bad cursor")
	}
	if err != nil {
		return err
	}
	boards, err := s.Boards.List(c.UserContext())
	if err != nil {
		return err
	}
	p := &listPage{Page: s.newPage(c, "home.title"), Board: b, Boards: boards, List: list, Tab: tab, Tabs: thread.Tabs, Tag: q.Tag, renderRow: s.renderRow}
	p.Rows = p.threadRows()
	if p.User != nil && p.WatchTarget() != "" {
		w := s.listWatch(c, p)
		c.Locals(localWatch, w)
		p.watch = func() watchButton { return s.watchButton(c, p.Page, w) }
	}
	// An empty list is no answer to anything a search engine is asked.
	p.Head.Canonical, p.Head.Index = p.listURL(tab, q.Tag, q.Cursor), len(list.Threads) > 0
	p.Head.Description = p.T("home.lead")
	page := "home"
	if b != nil {
		p.Title = b.Name(p.Lang)
		p.Head.Description = b.Description(p.Lang)
		page = "board_show"
	}
	return s.render(c, page, p)
}

// listWatch is what p's watch button follows: its board, or its tag (id 0
// for a tag no thread has).
func (s *Server) listWatch(c *fiber.Ctx, p *listPage) watchHole {
	w := watchHole{target: p.WatchTarget(), key: p.WatchKey()}
	if p.Board != nil {
		w.id = p.Board.ID
		return w
	}
	id, err := s.Notify.TagID(c.UserContext(), w.key)
	if err != nil {
		s.Log.Warn("read a tag", "err", err, "request_id", requestID(c))
	}
	w.id = id
	return w
}
