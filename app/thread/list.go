package thread

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/schwarm/schwarm/app/user"
)

// Tabs of a thread list.
const (
	TabLatest     = "latest"     // by last activity
	TabUnanswered = "unanswered" // no answer yet, newest question first
	TabSolved     = "solved"     // solved, by last activity
)

// Tabs lists the tabs in display order.
var Tabs = []string{TabLatest, TabUnanswered, TabSolved}

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
// a deep page costs the same as the first.
func (s *Service) List(ctx context.Context, q Query) (*ListPage, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 30
	}
	sortCol := "threads.last_activity_at"
	db := s.db.Reader(ctx).Table("threads").
		Select("threads.*, users.handle AS author_handle, users.display_name AS author_name, " +
			"boards.slug AS board_slug, boards.name_en AS board_name_en, boards.name_de AS board_name_de").
		Joins("JOIN users ON users.id = threads.author_id").
		Joins("JOIN boards ON boards.id = threads.board_id").
		Where("threads.deleted_at IS NULL")
	switch q.Tab {
	case TabUnanswered:
		sortCol = "threads.created_at"
		db = db.Where("threads.answer_count = 0")
	case TabSolved:
		db = db.Where("threads.state = ?", StateSolved)
	}
	if q.BoardID != 0 {
		db = db.Where("threads.board_id = ?", q.BoardID)
	}
	if q.Tag != "" {
		db = db.Joins("JOIN thread_tags ON thread_tags.thread_id = threads.id JOIN tags ON tags.id = thread_tags.tag_id AND tags.name = ?", q.Tag)
	}
	if q.Cursor != "" {
		at, id, ok := decodeCursor(q.Cursor)
		if !ok {
			return nil, ErrBadCursor
		}
		db = db.Where("("+sortCol+" < ? OR ("+sortCol+" = ? AND threads.id < ?))", at, at, id)
	}
	var rows []Listed
	if err := db.Order(sortCol + " DESC, threads.id DESC").Limit(q.Limit + 1).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("thread: list: %w", err)
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
	return page, s.loadTags(ctx, page.Threads)
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

// ShownPost is a post with its author, as a thread page shows it.
type ShownPost struct {
	Post
	AuthorHandle string
	AuthorName   string
	AuthorRole   user.Role
}

// AnswersPerPage is how many answers a thread page shows.
const AnswersPerPage = 30

// PostPage is a thread page's posts: the question, and one page of answers.
type PostPage struct {
	Question ShownPost
	Answers  []ShownPost
	Page     int
	Pages    int
}

// Posts returns the question and page (from 1; past the end means the last) of the
// answers of t. Deleted answers
// are included for moderators only. Answers are paged with OFFSET, which is bounded
// by one thread's length and gives people numbered pages.
func (s *Service) Posts(ctx context.Context, viewer *user.User, t *Thread, page int) (*PostPage, error) {
	visible := func() *gorm.DB {
		q := s.db.Reader(ctx).Table("posts").Where("posts.thread_id = ?", t.ID)
		if !CanModerate(viewer) {
			q = q.Where("posts.deleted_at IS NULL")
		}
		return q
	}
	base := func() *gorm.DB {
		return visible().
			Select("posts.*, users.handle AS author_handle, users.display_name AS author_name, users.role AS author_role").
			Joins("JOIN users ON users.id = posts.author_id")
	}
	out := &PostPage{Page: max(page, 1)}
	var questions []ShownPost
	if err := base().Where("posts.is_question").Limit(1).Scan(&questions).Error; err != nil {
		return nil, fmt.Errorf("thread %d: question: %w", t.ID, err)
	}
	if len(questions) == 0 {
		return nil, ErrNotFound
	}
	out.Question = questions[0]
	var total int64
	if err := visible().Where("NOT posts.is_question").Count(&total).Error; err != nil {
		return nil, err
	}
	out.Pages = max(1, int((total+AnswersPerPage-1)/AnswersPerPage))
	out.Page = min(out.Page, out.Pages) // a page past the end shows the last one
	err := base().Where("NOT posts.is_question").Order("posts.id").
		Offset((out.Page - 1) * AnswersPerPage).Limit(AnswersPerPage).Scan(&out.Answers).Error
	if err != nil {
		return nil, fmt.Errorf("thread %d: answers: %w", t.ID, err)
	}
	return out, nil
}
