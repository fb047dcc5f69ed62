package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/deflection"
	"github.com/schwarm/schwarm/app/notify"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/validate"
)

type threadPage struct {
	Page
	Thread *thread.Thread
	Board  *board.Board
	Tags   []string
	Posts  *thread.PostPage
	Rows   []postRow // the question (on page 1) and the answers
	// Solution is the accepted answer, shown under the question; SolutionURL
	// jumps to its place among the answers.
	Solution    *postRow
	SolutionURL string
	Draft       string        // the reply being written
	Preview     template.HTML // rendered draft, when asked for
	Errors      validate.Errors

	// Canonical is the thread this one was closed as a duplicate of.
	Canonical *thread.Thread
	// Moderate shows the moderators' controls: the staff panel, with the
	// boards to move or split to and the answers of this page to split off.
	Moderate     bool
	Boards       []board.Board
	SplitAnswers []postRow
	SplitErrors  validate.Errors
	SplitTitle   string
	// Notices tell what staff did to the thread; LockedOut says the viewer
	// may not write in it because it is locked.
	Notices   []noticeRow
	LockedOut bool

	// AskSession is set when the thread was opened from a suggestion while asking:
	// the page then asks whether it solved the problem.
	AskSession string

	privileges thread.Privileges
	renderPost func(postRow) (template.HTML, error)
	kudosGiven map[int64]bool
	watch      func() watchButton
}

// WatchButton is the thread's watch button for the viewer.
func (p *threadPage) WatchButton() watchButton { return p.watch() }

// PageURL links page n of this thread's answers.
func (p *threadPage) PageURL(n int) string {
	u := threadURL(p.Thread)
	if n > 1 {
		u += "?page=" + strconv.Itoa(n)
	}
	return u
}

// PageNumbers lists 1..Pages for the page links.
func (p *threadPage) PageNumbers() []int {
	n := make([]int, p.Posts.Pages)
	for i := range n {
		n[i] = i + 1
	}
	return n
}

func threadURL(t *thread.Thread) string { return fmt.Sprintf("/t/%d/%s", t.ID, t.Slug) }

// threadShow serves /t/<id>/<slug>; any other slug redirects to the canonical URL,
// so that links keep working after a title changes.
func (s *Server) threadShow(c *fiber.Ctx) error {
	// Only canonical, visible pages are ever cached, and any write empties the
	// caches, so a hit needs no database at all (a member's, a few reads for
	// the holes).
	if s.serveCopy(c) {
		if id, err := strconv.ParseInt(c.Params("id"), 10, 64); err == nil {
			s.Views.Add(id)
		}
		return nil
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := s.Threads.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if t.MergedInto != nil {
		// A merged thread's address leads to where its posts went, for good,
		// for whoever may see the target.
		to, err := s.Threads.Final(c.UserContext(), t.ID)
		if err != nil {
			return err
		}
		if !thread.CanSee(currentUser(c), to) {
			return thread.ErrNotFound
		}
		return c.Redirect(threadURL(to), fiber.StatusMovedPermanently)
	}
	if !thread.CanSee(currentUser(c), t) {
		return thread.ErrNotFound
	}
	if c.Params("slug") != t.Slug {
		to := threadURL(t)
		if page := c.QueryInt("page"); page > 1 {
			to += "?page=" + strconv.Itoa(page)
		}
		return c.Redirect(to, fiber.StatusMovedPermanently)
	}
	s.Views.Add(t.ID)
	return s.forGuests(c, func() error {
		p, err := s.threadPage(c, t, c.QueryInt("page", 1))
		if err != nil {
			return err
		}
		if ask := c.Query("ask"); ask != "" && p.User != nil {
			s.recordDeflection(c, ask, deflection.Clicked, "", t.ID)
			p.AskSession = ask
		}
		return s.render(c, "thread_show", p)
	})
}

// viewThread loads the thread of the route for the viewer: not found unless
// they may see it (a merged thread is deleted, so only staff do).
func (s *Server) viewThread(c *fiber.Ctx) (*thread.Thread, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, fiber.ErrNotFound
	}
	t, err := s.Threads.Get(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if !thread.CanSee(currentUser(c), t) {
		return nil, thread.ErrNotFound
	}
	return t, nil
}

func (s *Server) threadPage(c *fiber.Ctx, t *thread.Thread, page int) (*threadPage, error) {
	ctx := c.UserContext()
	b, err := s.Boards.Get(ctx, t.BoardID)
	if err != nil {
		return nil, err
	}
	posts, err := s.Threads.Posts(ctx, currentUser(c), t, page)
	if err != nil {
		return nil, err
	}
	tags, err := s.Threads.Tags(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	p := &threadPage{Page: s.newPage(c, ""), Thread: t, Board: b, Tags: tags, Posts: posts, privileges: s.Threads.Privileges(),
		renderPost: s.renderPost}
	p.Title = t.Title
	p.Moderate = thread.CanModerate(p.User)
	if p.User != nil {
		w := watchHole{target: notify.TargetThread, key: strconv.FormatInt(t.ID, 10), id: t.ID}
		c.Locals(localWatch, w)
		p.watch = func() watchButton { return s.watchButton(c, p.Page, w) }
	}
	p.LockedOut = thread.LockError(p.User, t) != nil
	notices, err := s.Threads.Notices(ctx, p.User, t)
	if err != nil {
		return nil, err
	}
	if p.Notices, err = s.noticeRows(ctx, p, notices); err != nil {
		return nil, err
	}
	if p.Moderate {
		if p.Boards, err = s.Boards.List(ctx); err != nil {
			return nil, err
		}
	}
	if t.DuplicateOf != nil {
		p.Canonical, err = s.Threads.View(ctx, p.User, *t.DuplicateOf)
		if err != nil && !errors.Is(err, thread.ErrNotFound) {
			return nil, err
		}
	}
	shown := posts.Answers
	if posts.Question != nil {
		shown = append([]thread.ShownPost{*posts.Question}, posts.Answers...)
	}
	var solution *thread.ShownPost
	if posts.Question != nil && t.SolutionPostID != nil {
		sol, at, err := s.Threads.Solution(ctx, currentUser(c), t)
		switch {
		case errors.Is(err, thread.ErrNotFound): // hidden for review
		case err != nil:
			return nil, err
		default:
			solution, p.SolutionURL = sol, fmt.Sprintf("%s#p%d", p.PageURL(at), *t.SolutionPostID)
		}
	}
	if p.User != nil {
		ids := make([]int64, len(shown))
		for i := range shown {
			ids[i] = shown[i].ID
		}
		if p.kudosGiven, err = s.Threads.KudosGiven(ctx, p.User, ids); err != nil {
			return nil, err
		}
		if solution != nil {
			ids = append(ids, solution.ID)
		}
		c.Locals(localInvolved, func() ([]int64, error) { return s.involved(ctx, t, ids) })
	}
	p.Rows = p.postRows(shown)
	if p.Moderate {
		for _, r := range p.Rows {
			if !r.IsQuestion && !r.Deleted && !r.Pending {
				p.SplitAnswers = append(p.SplitAnswers, r)
			}
		}
	}
	if solution != nil {
		p.Solution = &p.postRows([]thread.ShownPost{*solution})[0]
	}
	if err := s.describe(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// involved lists the members whose page of t is their own (thread.Involved),
// and the author of the thread it is a duplicate of, who may see it while
// others may not.
func (s *Server) involved(ctx context.Context, t *thread.Thread, posts []int64) ([]int64, error) {
	ids, err := s.Threads.Involved(ctx, t.ID, posts)
	if err != nil {
		return nil, err
	}
	ids = append(ids, t.AuthorID)
	if t.DuplicateOf != nil {
		to, err := s.Threads.Get(ctx, *t.DuplicateOf)
		switch {
		case err == nil:
			ids = append(ids, to.AuthorID)
		case !errors.Is(err, thread.ErrNotFound):
			return nil, err
		}
	}
	return ids, nil
}
