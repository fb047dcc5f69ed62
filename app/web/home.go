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

	watching  func() bool
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

// Watching reports whether the viewer watches the list's board or tag.
func (p *listPage) Watching() bool { return p.watching != nil && p.watching() }

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
	if p.User != nil {
		p.watching = func() bool { return s.watchingList(c, p) }
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

// watchingList reports whether the viewer watches p's board or tag.
func (s *Server) watchingList(c *fiber.Ctx, p *listPage) bool {
	ctx := c.UserContext()
	var id int64
	target, key := p.WatchTarget(), p.WatchKey()
	switch target {
	case notify.TargetBoard:
		id = p.Board.ID
	case notify.TargetTag:
		tid, err := s.Notify.TagID(ctx, key)
		if err != nil || tid == 0 {
			return false
		}
		id = tid
	default:
		return false
	}
	on, err := s.Notify.Watching(ctx, p.User.ID, target, id)
	if err != nil {
		s.Log.Warn("read a watch", "err", err, "request_id", requestID(c))
	}
	return on
}
