package moderation

import (
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// MaxReason caps the reason a moderator gives for a rejection.
const MaxReason = 500

// ErrNotWaiting says the post is no longer waiting for review: another
// moderator approved or rejected it meanwhile.
var ErrNotWaiting = problem.New(http.StatusConflict, "queue.not_waiting", "moderation: the post is no longer waiting for review")

// Kinds of items in the review queue.
const (
	ItemPost   = "post"   // a post that waits for review, or is shown with open flags
	ItemMember = "member" // a member with open reports
)

// Item is one thing in the review queue, with what a moderator needs to decide
// without opening the thread: a post (waiting, hidden, or shown with open
// flags) or a reported member. For a member, the post fields are zero and the
// author fields are the member's.
type Item struct {
	Kind       string
	Since      time.Time `gorm:"-"` // since when it waits: held, hidden, first flagged or reported
	PostID     int64
	ThreadID   int64
	Title      string
	Question   bool
	Pending    bool   // not shown: waits for review; false for a shown post with open flags
	HTML       string // rendered and sanitized on write
	HeldReason string // why it waits (thread.Held…); "" for posts held before reasons were kept
	CreatedAt  time.Time
	AuthorID   int64
	Handle     string
	Reputation int64
	JoinedAt   time.Time
	Published  int        // the author's posts out of review so far
	Rejected   int        // the author's posts rejected or deleted by staff
	Flags      []FlagView `gorm:"-"`
	Received   int        `gorm:"-"` // flags and reports on the author, ever
	Upheld     int        `gorm:"-"` // … that moderators upheld
}

// FlagView is an open flag or report as the queue shows it.
type FlagView struct {
	ID          int64
	Kind        string
	Text        string
	Flagger     string // handle
	DuplicateOf *int64 // a duplicate flag's thread
	CreatedAt   time.Time
}

// SafeHTML is the post's stored HTML for templates (see thread.Post.SafeHTML).
func (i Item) SafeHTML() template.HTML { return template.HTML(i.HTML) }

// QueuePage is one page of the review queue; Next is the cursor of the
// following page, "" on the last.
type QueuePage struct {
	Items []Item
	Next  string
}

// ErrBadQueueCursor means a queue page link was tampered with.
var ErrBadQueueCursor = problem.New(http.StatusBadRequest, "error.bad_request", "moderation: bad queue cursor")

// queueKey places an item in the queue: oldest first, posts before members
// at the same time, then by id.
type queueKey struct {
	since time.Time
	kind  int // 0 post, 1 member
	id    int64
}

func (k queueKey) compare(o queueKey) int {
	if c := k.since.Compare(o.since); c != 0 {
		return c
	}
	if k.kind != o.kind {
		return k.kind - o.kind
	}
	return int(k.id - o.id)
}

func (k queueKey) cursor() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s|%d|%d", k.since.UTC().Format(time.RFC3339Nano), k.kind, k.id))
}

func parseQueueCursor(c string) (queueKey, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(raw), "|")
	if err != nil || len(parts) != 3 {
		return queueKey{}, false
	}
	at, err1 := time.Parse(time.RFC3339Nano, parts[0])
	kind, err2 := strconv.Atoi(parts[1])
	id, err3 := strconv.ParseInt(parts[2], 10, 64)
	return queueKey{since: at, kind: kind, id: id}, err1 == nil && err2 == nil && err3 == nil
}

// queueKeys returns every item of the queue in order. The times are merged in
// Go rather than compared in SQL, where SQLite compares them as text; the
// queue is what waits for a moderator, a few hundred rows at most, and Waiting
// counts exactly what the pages list.
func (s *Service) queueKeys(ctx context.Context) ([]queueKey, error) {
	r := s.db.Reader(ctx)
	var held []struct {
		ID        int64
		CreatedAt time.Time
		HeldAt    *time.Time
	}
	if err := r.Raw(`SELECT p.id, p.created_at, p.held_at FROM posts p JOIN threads t ON t.id = p.thread_id
		WHERE p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL`).Scan(&held).Error; err != nil {
		return nil, err
	}
	var flags []struct {
		PostID    *int64
		MemberID  int64
		CreatedAt time.Time
	}
	if err := r.Raw(`SELECT f.post_id, f.member_id, f.created_at FROM flags f
		LEFT JOIN posts p ON p.id = f.post_id LEFT JOIN threads t ON t.id = p.thread_id
		WHERE f.resolved_at IS NULL AND (f.post_id IS NULL OR (NOT p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL))`).
		Scan(&flags).Error; err != nil {
		return nil, err
	}
	first := map[[2]int64]time.Time{} // (kind, id) → the first open flag
	for _, f := range flags {
		k := [2]int64{1, f.MemberID}
		if f.PostID != nil {
			k = [2]int64{0, *f.PostID}
		}
		if at, ok := first[k]; !ok || f.CreatedAt.Before(at) {
			first[k] = f.CreatedAt
		}
	}
	keys := make([]queueKey, 0, len(held)+len(first))
	for _, p := range held {
		at := p.CreatedAt
		if p.HeldAt != nil {
			at = *p.HeldAt
		}
		keys = append(keys, queueKey{since: at, id: p.ID})
	}
	for k, at := range first {
		keys = append(keys, queueKey{since: at, kind: int(k[0]), id: k[1]})
	}
	slices.SortFunc(keys, queueKey.compare)
	return keys, nil
}

// Queue returns up to limit items of the review queue, oldest first, after the
// cursor after (keyset pages; "" = the first page): posts that wait for review,
// hidden ones among them, shown posts with open flags, and members with open
// reports, each with its open flags and its author's history of flags.
// Moderators only.
func (s *Service) Queue(ctx context.Context, mod *user.User, after string, limit int) (*QueuePage, error) {
	if !thread.CanModerate(mod) {
		return nil, thread.ErrForbidden
	}
	keys, err := s.queueKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("moderation: queue: %w", err)
	}
	if after != "" {
		from, ok := parseQueueCursor(after)
		if !ok {
			return nil, ErrBadQueueCursor
		}
		i, _ := slices.BinarySearchFunc(keys, from, queueKey.compare)
		if i < len(keys) && keys[i].compare(from) == 0 {
			i++
		}
		keys = keys[i:]
	}
	page := &QueuePage{}
	if len(keys) > limit {
		keys = keys[:limit]
		page.Next = keys[limit-1].cursor()
	}
	if page.Items, err = s.queueItems(ctx, keys); err != nil {
		return nil, fmt.Errorf("moderation: queue: %w", err)
	}
	return page, nil
}

// queueItems loads what the queue shows of keys, in their order.
func (s *Service) queueItems(ctx context.Context, keys []queueKey) ([]Item, error) {
	var postIDs, memberIDs []int64
	for _, k := range keys {
		if k.kind == 0 {
			postIDs = append(postIDs, k.id)
		} else {
			memberIDs = append(memberIDs, k.id)
		}
	}
	r := s.db.Reader(ctx)
	const standing = `u.handle, u.reputation, u.created_at AS joined_at,
			(SELECT COUNT(*) FROM posts o WHERE o.author_id = u.id AND NOT o.pending AND o.deleted_at IS NULL) AS published,
			(SELECT COUNT(*) FROM posts o WHERE o.author_id = u.id AND o.deleted_by IS NOT NULL AND o.deleted_by <> u.id) AS rejected`
	var posts, members []Item
	if len(postIDs) > 0 {
		if err := r.Raw(`SELECT p.id AS post_id, p.thread_id, t.title, p.is_question AS question, p.pending, p.html, p.held_reason, p.created_at,
			u.id AS author_id, `+standing+`
		FROM posts p JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id
		WHERE p.id IN ?`, postIDs).Scan(&posts).Error; err != nil {
			return nil, err
		}
	}
	if len(memberIDs) > 0 {
		if err := r.Raw(`SELECT u.id AS author_id, `+standing+` FROM users u WHERE u.id IN ?`, memberIDs).Scan(&members).Error; err != nil {
			return nil, err
		}
	}
	byPost, byMember := map[int64]*Item{}, map[int64]*Item{}
	authors := map[int64]bool{}
	for i := range posts {
		posts[i].Kind = ItemPost
		byPost[posts[i].PostID] = &posts[i]
		authors[posts[i].AuthorID] = true
	}
	for i := range members {
		members[i].Kind = ItemMember
		byMember[members[i].AuthorID] = &members[i]
		authors[members[i].AuthorID] = true
	}
	var flags []struct {
		FlagView
		PostID   *int64
		MemberID int64
	}
	if err := r.Raw(`SELECT f.id, f.kind, f.text, u.handle AS flagger, f.duplicate_of, f.created_at, f.post_id, f.member_id
		FROM flags f JOIN users u ON u.id = f.flagger_id
		WHERE f.resolved_at IS NULL AND (f.post_id IN ? OR (f.post_id IS NULL AND f.member_id IN ?)) ORDER BY f.id`,
		append(postIDs, 0), append(memberIDs, 0)).Scan(&flags).Error; err != nil {
		return nil, err
	}
	for _, f := range flags {
		it := byMember[f.MemberID]
		if f.PostID != nil {
			it = byPost[*f.PostID]
		}
		if it != nil {
			it.Flags = append(it.Flags, f.FlagView)
		}
	}
	var history []struct {
		MemberID         int64
		Received, Upheld int
	}
	if err := r.Raw(`SELECT member_id, COUNT(*) AS received, SUM(CASE WHEN outcome = ? THEN 1 ELSE 0 END) AS upheld
		FROM flags WHERE member_id IN ? GROUP BY member_id`, OutcomeUpheld, append(slices.Collect(maps.Keys(authors)), 0)).Scan(&history).Error; err != nil {
		return nil, err
	}
	received, upheld := map[int64]int{}, map[int64]int{}
	for _, h := range history {
		received[h.MemberID], upheld[h.MemberID] = h.Received, h.Upheld
	}
	items := make([]Item, 0, len(keys))
	for _, k := range keys {
		it := byMember[k.id]
		if k.kind == 0 {
			it = byPost[k.id]
		}
		if it == nil {
			continue // decided between the two reads
		}
		it.Since, it.Received, it.Upheld = k.since, received[it.AuthorID], upheld[it.AuthorID]
		items = append(items, *it)
	}
	return items, nil
}

// Waiting returns how many items wait in the review queue, for the moderators'
// header: what Queue lists.
func (s *Service) Waiting(ctx context.Context) (int64, error) {
	keys, err := s.queueKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("moderation: waiting: %w", err)
	}
	return int64(len(keys)), nil
}

// Reject turns down a post that waits for review, or one that is shown with
// open flags, with a reason its author is told (post.rejected): the post is
// deleted, as a moderator's delete, and its flags are upheld; rejecting the
// question takes its thread. Of two moderators deciding
// on one post at once, the second is told it is no longer waiting.
func (s *Service) Reject(ctx context.Context, mod *user.User, postID int64, reason string) (*thread.Thread, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		return nil, validate.Errors{"reason": "queue.reason_long"}
	}
	var rejected *thread.Thread
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if !thread.CanModerate(mod) {
			return thread.ErrForbidden
		}
		p, t, err := s.threads.LockPostInThread(ctx, mod, postID)
		if err != nil {
			return err
		}
		rejected = t
		if p.DeletedAt != nil || t.DeletedAt != nil {
			return ErrNotWaiting
		}
		flags, err := s.resolveFlags(ctx, mod, p.ID, OutcomeUpheld)
		if err != nil {
			return err
		}
		if !p.Pending && flags == 0 {
			return ErrNotWaiting // approved meanwhile, or never waited
		}
		if err := s.threads.SetDeleted(ctx, mod, t, p, true, nil); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Entry{ActorID: mod.ID, Action: audit.RejectPost, MemberID: audit.Ref(p.AuthorID),
			ThreadID: audit.Ref(t.ID), PostID: audit.Ref(p.ID), Reason: reason}); err != nil {
			return err
		}
		return event.Emit(ctx, s.db, mod.ID, event.PostRejected{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID, Question: p.IsQuestion, Reason: reason})
	})
	if err != nil {
		return nil, fmt.Errorf("post %d: reject: %w", postID, err)
	}
	return rejected, nil
}
