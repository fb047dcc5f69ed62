package web

import (
	"html/template"
	"net/url"
	"strconv"

	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/thread"
)

// The rows below are what the list and thread templates loop over, with every
// label, time and permission worked out once in Go. Templates then only read
// fields; calling page methods per row through reflection made a 30-answer page
// several times slower to render.

// postRow is one post on a thread page.
type postRow struct {
	ID                                   int64
	AuthorHandle, AuthorName, RoleLabel  string
	Official, Deleted, IsQuestion        bool
	CreatedISO, CreatedExact, CreatedAgo string
	HTML                                 template.HTML
	EditedLabel                          string // "" when never edited
	CanHistory                           bool   // EditedLabel links to the history
	CanEdit, CanDelete, CanRestore       bool
	Kudos                                int
	KudosGiven, CanKudos                 bool // the viewer's kudos, and whether they may give or take it
	IsSolution, CanAccept, CanUnaccept   bool
	Pending, CanApprove                  bool
	HiddenNote                           string    // why a post that was out is hidden, for its author and moderators
	CanFlag, CanHide                     bool      // the viewer may flag it; a moderator may hide it
	Flag                                 *flagForm // the flag form sent back with its problems
	L                                    *postLabels
}

// flagForm is a flag being written: what was typed and what is wrong with it.
type flagForm struct {
	Kind, Text, Duplicate string
	Errors                []string
}

// Checked reports whether kind was chosen.
func (f *flagForm) Checked(kind string) bool { return f != nil && f.Kind == kind }

// kindLabel is a radio button of the flag form.
type kindLabel struct{ Value, Label string }

// postLabels are the texts every post on a page shares.
type postLabels struct {
	Official, Deleted, Edit, Delete, DeleteThread, Restore, CSRF           string
	Kudos, KudosGive, KudosTake, Solution, Accept, Unaccept                string
	Pending, Approve                                                       string
	Flag, FlagHeading, FlagKind, FlagText, FlagDuplicate, FlagSubmit, Hide string
	FlagKinds                                                              []kindLabel
	Page                                                                   int // the thread page's number past the first, else 0

	lang   string
	render func(postRow) (template.HTML, error)
}

func (p *threadPage) postRows(posts []thread.ShownPost) []postRow {
	l := &postLabels{Official: p.T("post.official"), Deleted: p.T("post.deleted"), Edit: p.T("post.edit"),
		Delete: p.T("post.delete"), DeleteThread: p.T("post.delete_thread"), Restore: p.T("post.restore"),
		Kudos: p.T("kudos.label"), KudosGive: p.T("kudos.give"), KudosTake: p.T("kudos.take"), Solution: p.T("solution.label"),
		Accept: p.T("solution.accept"), Unaccept: p.T("solution.unaccept"), Pending: p.T("post.pending"), Approve: p.T("post.approve"),
		Flag: p.T("flag.button"), FlagHeading: p.T("flag.heading"), FlagKind: p.T("flag.kind"), FlagText: p.T("flag.text"),
		FlagDuplicate: p.T("flag.duplicate"), FlagSubmit: p.T("flag.submit"), Hide: p.T("post.hide"),
		lang: p.Lang, render: p.renderPost}
	if p.Posts != nil && p.Posts.Page > 1 {
		l.Page = p.Posts.Page
	}
	for _, k := range moderation.FlagKinds {
		l.FlagKinds = append(l.FlagKinds, kindLabel{Value: k, Label: p.T("flag.kind." + k)})
	}
	if p.User != nil { // guests get no forms, and so no CSRF cookie
		l.CSRF = p.CSRF()
	}
	moderator := thread.CanModerate(p.User)
	priv := p.privileges
	locks := thread.LockError(p.User, p.Thread)
	canAccept := thread.CanAccept(p.User, p.Thread) && locks == nil && p.Thread.DeletedAt == nil
	rows := make([]postRow, len(posts))
	for i := range posts {
		post := &posts[i]
		r := postRow{
			ID: post.ID, AuthorHandle: post.AuthorHandle, AuthorName: post.AuthorName, RoleLabel: p.Standing(post.AuthorRole, post.AuthorRep),
			Official: post.Official, Deleted: post.DeletedAt != nil, IsQuestion: post.IsQuestion,
			CreatedISO: post.CreatedAt.UTC().Format(isoFormat), CreatedExact: p.ExactTime(post.CreatedAt), CreatedAgo: p.Ago(post.CreatedAt),
			HTML:    post.SafeHTML(),
			CanEdit: p.User != nil && thread.CanEdit(p.User, p.Thread, &post.Post, priv),
			Kudos:   post.KudosCount, KudosGiven: p.kudosGiven[post.ID], CanKudos: thread.KudosError(p.User, &post.Post) == nil && locks == nil,
			IsSolution: p.Thread.SolutionPostID != nil && *p.Thread.SolutionPostID == post.ID,
			Pending:    post.Pending, CanApprove: post.Pending && moderator && post.DeletedAt == nil,
			L: l,
		}
		live := !post.IsQuestion && post.DeletedAt == nil && !post.Pending
		r.CanAccept = canAccept && live && !r.IsSolution
		r.CanUnaccept = canAccept && r.IsSolution
		if post.EditedAt != nil {
			r.EditedLabel = p.TN("post.edited", post.RevisionCount)
			r.CanHistory = thread.CanSeeHistory(p.User, &post.Post)
		}
		r.CanDelete = !r.Deleted && p.User != nil && thread.CanDelete(p.User, p.Thread, &post.Post, p.now, p.deleteWindow) == nil
		r.CanRestore = r.Deleted && moderator
		shown := !post.Pending && post.DeletedAt == nil && p.Thread.DeletedAt == nil
		r.CanFlag = shown && p.User != nil && p.User.ID != post.AuthorID && !p.User.Suspended(p.now) && (!p.Thread.Pending || moderator)
		r.CanHide = shown && moderator
		if post.Pending && thread.WasPublished(post.HeldReason) {
			r.HiddenNote = p.T("post.hidden_" + post.HeldReason)
		}
		rows[i] = r
	}
	return rows
}

const isoFormat = "2006-01-02T15:04:05Z07:00"

// threadRow is one thread in a list.
type threadRow struct {
	URL, Title, Language                    string
	Solved, Pinned, Locked                  bool
	BoardURL, BoardName                     string // empty on a board's own page
	AuthorHandle, AuthorName, AuthorRank    string
	ActivityISO, ActivityExact, ActivityAgo string
	Answers, Views                          string
	Tags                                    []tagLink
	Hidden                                  string        // the label of a thread only staff see, else ""
	TitleHTML, Snippet                      template.HTML // search results: the query's words marked
	L                                       *rowLabels    // the same for every row of a page

	render func(threadRow) (template.HTML, error)
}

// rowLabels are the words of a thread list's rows in the page's language.
type rowLabels struct{ Pinned, Solved, Locked string }

type tagLink struct{ Name, URL string }

func (p *listPage) threadRows() []threadRow {
	rows := make([]threadRow, len(p.List.Threads))
	l := &rowLabels{Pinned: p.T("thread.pinned"), Solved: p.T("thread.solved"), Locked: p.T("thread.locked_badge")}
	for i := range p.List.Threads {
		t := &p.List.Threads[i]
		r := threadRow{
			URL: "/t/" + strconv.FormatInt(t.ID, 10) + "/" + t.Slug, Title: t.Title, Language: t.Language,
			Solved: t.State == thread.StateSolved, Pinned: t.PinnedAt != nil, Locked: t.Locked, AuthorHandle: t.AuthorHandle, AuthorName: t.AuthorName,
			AuthorRank:  p.Standing(t.AuthorRole, t.AuthorRep),
			ActivityISO: t.LastActivityAt.UTC().Format(isoFormat), ActivityExact: p.ExactTime(t.LastActivityAt),
			ActivityAgo: p.Ago(t.LastActivityAt), Answers: p.TN("thread.answers", t.AnswerCount), Views: p.TN("thread.views", t.ViewCount),
			L: l, render: p.renderRow,
		}
		switch {
		case t.DeletedAt != nil:
			r.Hidden = p.T("thread.deleted")
		case t.HiddenAt != nil:
			r.Hidden = p.T("thread.hidden")
		case t.Pending:
			r.Hidden = p.T("post.pending")
		}
		if p.Board == nil {
			r.BoardURL, r.BoardName = "/b/"+url.PathEscape(t.BoardSlug), t.BoardName(p.Lang)
		}
		for _, tag := range t.Tags {
			r.Tags = append(r.Tags, tagLink{Name: tag, URL: p.TagURL(tag)})
		}
		rows[i] = r
	}
	return rows
}
