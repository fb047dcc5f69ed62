package thread

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/user"
)

// Tabs of a thread list.
const (
	TabLatest     = "latest"     // by last activity
	TabUnanswered = "unanswered" // no answer yet, newest question first
	TabSolved     = "solved"     // solved, by last activity
	TabUnsolved   = "unsolved"   // not solved yet, by last activity
)

// Tabs lists the tabs in display order.
var Tabs = []string{TabLatest, TabUnanswered, TabUnsolved, TabSolved}

// Query selects a page of a thread list.
type Query struct {
	BoardID int64  // 0 = every board
	Tab     string // one of Tabs; "" = latest
	Tag     string // "" = any
	Cursor  string // from the previous page's Next; "" = first page
	Limit   int
}

// Listed is a thread in a list, with its author's and board's names and its tags.
type Listed struct {
	Thread
	AuthorHandle string
	AuthorName   string
	AuthorRole   user.Role
	AuthorRep    int64 `gorm:"column:author_rep"`
	BoardSlug    string
	BoardNameEN  string   `gorm:"column:board_name_en"`
	BoardNameDE  string   `gorm:"column:board_name_de"`
	Tags         []string `gorm:"-"`
}

// BoardName returns the thread's board name in lang.
func (l Listed) BoardName(lang string) string {
	if lang == "de" && l.BoardNameDE != "" {
		return l.BoardNameDE
	}
	return l.BoardNameEN
}

// ListPage is one page of a thread list; Next is the cursor of the following page,
// "" on the last.
type ListPage struct {
	Threads []Listed
	Next    string
}

// List returns a page of threads. Pages are keyset-paginated on (sort time, id), so
// a deep page costs the same as the first. In a board, its pinned threads come
// first, the latest pinned first, on the first page only: the pages after it
// page through the others.
func (s *Service) List(ctx context.Context, q Query) (*ListPage, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 30
	}
	// Lists are the hottest read: plain SQL scanned by hand, no ORM reflection.
	sortCol := "threads.last_activity_at"
	where := []string{"threads.deleted_at IS NULL", "threads.hidden_at IS NULL", "NOT threads.pending"}
	var args []any
	join := ""
	switch q.Tab {
	case TabUnanswered:
		sortCol = "threads.created_at"
		where = append(where, "threads.answer_count = 0")
	case TabSolved:
		where = append(where, "threads.state = ?")
		args = append(args, StateSolved)
	case TabUnsolved:
		where = append(where, "threads.state <> ?")
		args = append(args, StateSolved)
	}
	if q.BoardID != 0 {
		where = append(where, "threads.board_id = ?")
		args = append(args, q.BoardID)
	}
	if q.Tag != "" {
		join = " JOIN thread_tags ON thread_tags.thread_id = threads.id JOIN tags ON tags.id = thread_tags.tag_id AND tags.name = ?"
		args = append([]any{q.Tag}, args...)
	}
	var pinned []Listed
	if q.BoardID != 0 {
		if q.Cursor == "" {
			var err error
			pinned, err = s.listRows(ctx, join, append(slices.Clone(where), "threads.pinned_at IS NOT NULL"), args, "threads.pinned_at DESC, threads.id DESC", 100)
			if err != nil {
				return nil, err
			}
		}
		where = append(where, "threads.pinned_at IS NULL")
	}
	if q.Cursor != "" {
		at, id, ok := decodeCursor(q.Cursor)
		if !ok {
			return nil, ErrBadCursor
		}
		where = append(where, "("+sortCol+" < ? OR ("+sortCol+" = ? AND threads.id < ?))")
		args = append(args, at, at, id)
	}
	rows, err := s.listRows(ctx, join, where, args, sortCol+" DESC, threads.id DESC", q.Limit+1)
	if err != nil {
		return nil, err
	}
	page := &ListPage{Threads: rows}
	if len(rows) > q.Limit {
		page.Threads = rows[:q.Limit]
		last := page.Threads[q.Limit-1]
		at := last.LastActivityAt
		if q.Tab == TabUnanswered {
			at = last.CreatedAt
		}
		page.Next = encodeCursor(at, last.ID)
	}
	page.Threads = append(pinned, page.Threads...)
	return page, s.loadTags(ctx, page.Threads)
}

// listRows runs a list's query: up to limit threads with their authors and
// boards that match where, in order.
func (s *Service) listRows(ctx context.Context, join string, where []string, args []any, order string, limit int) ([]Listed, error) {
	sqlText := "SELECT threads.id, threads.board_id, threads.author_id, threads.title, threads.slug, threads.language, " +
		"threads.state, threads.answer_count, threads.view_count, threads.created_at, threads.last_activity_at, threads.locked, threads.pinned_at, " +
		"users.handle, users.display_name, users.role, users.reputation, boards.slug, boards.name_en, boards.name_de " +
		"FROM threads JOIN users ON users.id = threads.author_id JOIN boards ON boards.id = threads.board_id" + join +
		" WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT ?"
	sqlRows, err := s.db.Reader(ctx).Raw(sqlText, append(slices.Clone(args), limit)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("thread: list: %w", err)
	}
	defer sqlRows.Close()
	rows := make([]Listed, 0, limit)
	for sqlRows.Next() {
		var l Listed
		err := sqlRows.Scan(&l.ID, &l.BoardID, &l.AuthorID, &l.Title, &l.Slug, &l.Language, &l.State, &l.AnswerCount,
			&l.ViewCount, &l.CreatedAt, &l.LastActivityAt, &l.Locked, &l.PinnedAt, &l.AuthorHandle, &l.AuthorName, &l.AuthorRole, &l.AuthorRep, &l.BoardSlug, &l.BoardNameEN, &l.BoardNameDE)
		if err != nil {
			return nil, fmt.Errorf("thread: list: %w", err)
		}
		rows = append(rows, l)
	}
	if err := sqlRows.Err(); err != nil {
		return nil, fmt.Errorf("thread: list: %w", err)
	}
	return rows, nil
}

// ErrBadCursor means a page link was tampered with or is from an older version.
var ErrBadCursor = fmt.Errorf("thread: bad page cursor")

func encodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (time.Time, int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, false
	}
	ts, ids, ok := strings.Cut(string(raw), "|")
	at, err1 := time.Parse(time.RFC3339Nano, ts)
	id, err2 := strconv.ParseInt(ids, 10, 64)
	return at.UTC(), id, ok && err1 == nil && err2 == nil
}

func (s *Service) loadTags(ctx context.Context, threads []Listed) error {
	if len(threads) == 0 {
		return nil
	}
	ids := make([]int64, len(threads))
	byID := make(map[int64]*Listed, len(threads))
	for i := range threads {
		ids[i] = threads[i].ID
		byID[threads[i].ID] = &threads[i]
	}
	var rows []struct {
		ThreadID int64
		Name     string
	}
	err := s.db.Reader(ctx).Table("thread_tags").Select("thread_tags.thread_id, tags.name").
		Joins("JOIN tags ON tags.id = thread_tags.tag_id").
		Where("thread_tags.thread_id IN ?", ids).Order("tags.name").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("thread: tags: %w", err)
	}
	for _, r := range rows {
		byID[r.ThreadID].Tags = append(byID[r.ThreadID].Tags, r.Name)
	}
	return nil
}

// Tags returns a thread's tags, sorted.
func (s *Service) Tags(ctx context.Context, threadID int64) ([]string, error) {
	var names []string
	err := s.db.Reader(ctx).Table("thread_tags").Select("tags.name").
		Joins("JOIN tags ON tags.id = thread_tags.tag_id").
		Where("thread_tags.thread_id = ?", threadID).Order("tags.name").Scan(&names).Error
	return names, err
}

// ShownPost is a post with its author, as a thread page shows it. Its Source is
// not loaded: pages show the stored HTML.
type ShownPost struct {
	Post
	AuthorHandle string
	AuthorName   string
	AuthorRole   user.Role
	AuthorRep    int64
}

// AnswersPerPage is how many answers a thread page shows.
const AnswersPerPage = 30

// PostPage is a thread page's posts: the question (on the first page), and one
// page of answers.
type PostPage struct {
	Question *ShownPost // nil after the first page
	Answers  []ShownPost
	Page     int
	Pages    int
}

const shownPostColumns = "posts.id, posts.thread_id, posts.author_id, posts.is_question, posts.official, posts.html, " +
	"posts.created_at, posts.edited_at, posts.revision_count, posts.deleted_at, posts.deleted_by, posts.kudos_count, " +
	"posts.pending, posts.held_reason, users.handle, users.display_name, users.role, users.reputation"

// scanShownPost reads a row of shownPostColumns.
func scanShownPost(rows *sql.Rows, p *ShownPost) error {
	return rows.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.IsQuestion, &p.Official, &p.HTML, &p.CreatedAt, &p.EditedAt,
		&p.RevisionCount, &p.DeletedAt, &p.DeletedBy, &p.KudosCount, &p.Pending, &p.HeldReason, &p.AuthorHandle, &p.AuthorName, &p.AuthorRole, &p.AuthorRep)
}

// Posts returns page (from 1; past the end means the last) of t's posts in one
// query: the question is the thread's first post, so page 1 is the first 31 posts
// by id and page n the 30 after 1+30(n-1). OFFSET is bounded by one thread's length
// and gives people numbered pages. Deleted answers are included for moderators only.
func (s *Service) Posts(ctx context.Context, viewer *user.User, t *Thread, page int) (*PostPage, error) {
	moderator := CanModerate(viewer)
	answers := int64(t.AnswerCount) // kept without deleted answers
	if moderator {
		if err := s.db.Reader(ctx).Table("posts").Where("thread_id = ? AND NOT is_question", t.ID).Count(&answers).Error; err != nil {
			return nil, err
		}
	}
	out := &PostPage{Pages: max(1, int((answers+AnswersPerPage-1)/AnswersPerPage))}
	out.Page = min(max(page, 1), out.Pages)
	sqlText := "SELECT " + shownPostColumns + " FROM posts JOIN users ON users.id = posts.author_id WHERE posts.thread_id = ?"
	args := []any{t.ID}
	if !moderator {
		// Posts waiting for review are their authors' and moderators' to see.
		sqlText += " AND posts.deleted_at IS NULL AND (NOT posts.pending OR posts.author_id = ?)"
		var viewerID int64
		if viewer != nil {
			viewerID = viewer.ID
		}
		args = append(args, viewerID)
	}
	// The question first: a merge brings posts older than it, a split makes a
	// question of an answer younger than others.
	sqlText += " ORDER BY posts.is_question DESC, posts.id LIMIT ? OFFSET ?"
	limit, offset := AnswersPerPage+1, 0
	if out.Page > 1 {
		limit, offset = AnswersPerPage, 1+(out.Page-1)*AnswersPerPage
	}
	sqlRows, err := s.db.Reader(ctx).Raw(sqlText, append(args, limit, offset)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("thread %d: posts: %w", t.ID, err)
	}
	defer sqlRows.Close()
	rows := make([]ShownPost, 0, limit)
	for sqlRows.Next() {
		var p ShownPost
		err := scanShownPost(sqlRows, &p)
		if err != nil {
			return nil, fmt.Errorf("thread %d: posts: %w", t.ID, err)
		}
		rows = append(rows, p)
	}
	if err := sqlRows.Err(); err != nil {
		return nil, fmt.Errorf("thread %d: posts: %w", t.ID, err)
	}
	if out.Page == 1 {
		if len(rows) == 0 || !rows[0].IsQuestion {
			return nil, fmt.Errorf("thread %d: no question post", t.ID)
		}
		out.Question, rows = &rows[0], rows[1:]
	}
	out.Answers = rows
	return out, nil
}

// Solution returns t's accepted answer as viewer sees it, and the page of
// answers it is on; an answer hidden for review is not found but by its author
// and moderators.
func (s *Service) Solution(ctx context.Context, viewer *user.User, t *Thread) (*ShownPost, int, error) {
	if t.SolutionPostID == nil {
		return nil, 0, ErrNotFound
	}
	rows, err := s.db.Reader(ctx).Raw("SELECT "+shownPostColumns+" FROM posts JOIN users ON users.id = posts.author_id WHERE posts.id = ?",
		*t.SolutionPostID).Rows()
	if err != nil {
		return nil, 0, fmt.Errorf("thread %d: solution: %w", t.ID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, 0, fmt.Errorf("thread %d: solution %d missing: %w", t.ID, *t.SolutionPostID, rows.Err())
	}
	var p ShownPost
	if err := scanShownPost(rows, &p); err != nil {
		return nil, 0, fmt.Errorf("thread %d: solution: %w", t.ID, err)
	}
	rows.Close()
	if p.Pending && !CanModerate(viewer) && (viewer == nil || viewer.ID != p.AuthorID) {
		return nil, 0, ErrNotFound
	}
	q := s.db.Reader(ctx).Table("posts").Where("thread_id = ? AND NOT is_question AND id < ?", t.ID, p.ID)
	if !CanModerate(viewer) {
		q = q.Where("deleted_at IS NULL AND NOT pending")
	}
	var before int64
	if err := q.Count(&before).Error; err != nil {
		return nil, 0, fmt.Errorf("thread %d: solution: %w", t.ID, err)
	}
	return &p, int(before/AnswersPerPage) + 1, nil
}

// ByIDs loads the threads with ids for a list, in the order of ids. Deleted threads
// are left out unless withDeleted (staff).
func (s *Service) ByIDs(ctx context.Context, ids []int64, withDeleted bool) ([]Listed, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	where := "threads.id IN ?"
	if !withDeleted {
		where += " AND threads.deleted_at IS NULL AND threads.hidden_at IS NULL AND NOT threads.pending"
	}
	var rows []Listed
	err := s.db.Reader(ctx).Table("threads").
		Select("threads.*, users.handle AS author_handle, users.display_name AS author_name, users.role AS author_role, users.reputation AS author_rep, "+
			"boards.slug AS board_slug, boards.name_en AS board_name_en, boards.name_de AS board_name_de").
		Joins("JOIN users ON users.id = threads.author_id").Joins("JOIN boards ON boards.id = threads.board_id").
		Where(where, ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("thread: by ids: %w", err)
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(rows, func(a, b Listed) int { return pos[a.ID] - pos[b.ID] })
	return rows, s.loadTags(ctx, rows)
}

// Excerpts returns, per thread, the first words of its accepted solution, else of
// its first answer, else of the question: what a suggestion shows under its title.
func (s *Service) Excerpts(ctx context.Context, ids []int64) (map[int64]string, error) {
	data, err := s.leads(ctx, ids, false)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(data))
	for _, t := range data {
		text := t.Question
		switch {
		case t.Solution != "":
			text = t.Solution
		case len(t.Answers) > 0:
			text = t.Answers[0]
		}
		out[t.ID] = excerpt(text, 160)
	}
	return out, nil
}

// Texts returns, per thread, its visible text as plain words, at most n runes:
// the question, the accepted solution, then the first other answers, and
// withHidden then the first hidden posts. Search results pick their snippet
// from it.
func (s *Service) Texts(ctx context.Context, ids []int64, n int, withHidden bool) (map[int64]string, error) {
	data, err := s.leads(ctx, ids, withHidden)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(data))
	for _, t := range data {
		parts := append([]string{t.Question, t.Solution}, t.Answers...)
		if withHidden {
			parts = append(parts, t.Hidden...)
		}
		text := strings.Join(parts, "\n")
		if len(text) > 4*n { // long threads: markup costs bytes, never more than 4 a rune
			text = strings.ToValidUTF8(text[:4*n], "")
		}
		out[t.ID] = strings.TrimSuffix(excerpt(text, n), "…")
	}
	return out, nil
}

// excerpt is the first n runes of markdown as plain words.
func excerpt(md string, n int) string {
	words := strings.Fields(strings.NewReplacer("*", "", "`", "", "#", "", "_", " ", ">", "", "|", " ").Replace(md))
	s := strings.Join(words, " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Activity is one of a member's posts, as their profile lists it.
type Activity struct {
	PostID     int64
	ThreadID   int64
	Slug       string
	Title      string
	IsQuestion bool
	CreatedAt  time.Time
}

// RecentActivity returns authorID's newest public posts.
func (s *Service) RecentActivity(ctx context.Context, authorID int64, limit int) ([]Activity, error) {
	var out []Activity
	err := s.db.Reader(ctx).Table("posts").
		Select("posts.id AS post_id, threads.id AS thread_id, threads.slug, threads.title, posts.is_question, posts.created_at").
		Joins("JOIN threads ON threads.id = posts.thread_id").
		Where("posts.author_id = ? AND posts.deleted_at IS NULL AND NOT posts.pending AND threads.deleted_at IS NULL AND threads.hidden_at IS NULL AND NOT threads.pending", authorID).
		Order("posts.id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("thread: activity of %d: %w", authorID, err)
	}
	return out, nil
}
