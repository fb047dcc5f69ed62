package moderation

import (
	"cmp"
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

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/database"
	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
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
	// cmp.Compare, not a difference: a tampered cursor's id or kind may be
	// anything, and a difference of two int64 overflows into the wrong sign.
	return cmp.Or(cmp.Compare(k.kind, o.kind), cmp.Compare(k.id, o.id))
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

// queueKeys returns the first limit items of the queue after from (nil: from
// the start), in order. Posts held or hidden, most of the queue, are ordered and
// cut in the database, by the time each began to wait; shown posts with open
// flags and reported members (a post or member once, by its first open flag)
// are merged in here. Both databases compare the times as times: SQLite keeps
// them as text in one format, in UTC, whose order is theirs.
func (s *Service) queueKeys(ctx context.Context, from *queueKey, limit int) ([]queueKey, error) {
	r := s.db.Reader(ctx)
	const since = "COALESCE(p.held_at, p.created_at)"
	held := r.Table("posts p").Select("p.id, " + since + " AS since").Joins("JOIN threads t ON t.id = p.thread_id").
		Where("p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL")
	if from != nil {
		if from.kind == 0 {
			held = held.Where(since+" > ? OR ("+since+" = ? AND p.id > ?)", from.since, from.since, from.id)
		} else { // posts come before members at one time
			held = held.Where(since+" > ?", from.since)
		}
	}
	var heldRows []struct {
		ID    int64
		Since database.Time
	}
	if err := held.Order("since, p.id").Limit(limit).Scan(&heldRows).Error; err != nil {
		return nil, err
	}
	var flagged []struct {
		PostID   *int64
		MemberID int64
		Since    database.Time
	}
	if err := r.Raw(`SELECT f.post_id, CASE WHEN f.post_id IS NULL THEN f.member_id ELSE 0 END AS member_id, MIN(f.created_at) AS since
		FROM flags f LEFT JOIN posts p ON p.id = f.post_id LEFT JOIN threads t ON t.id = p.thread_id
		WHERE f.resolved_at IS NULL AND (f.post_id IS NULL OR (NOT p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL))
		GROUP BY f.post_id, CASE WHEN f.post_id IS NULL THEN f.member_id ELSE 0 END`).Scan(&flagged).Error; err != nil {
		return nil, err
	}
	keys := make([]queueKey, 0, len(heldRows)+len(flagged))
	for _, p := range heldRows {
		keys = append(keys, queueKey{since: p.Since.UTC(), id: p.ID})
	}
	for _, f := range flagged {
		k := queueKey{since: f.Since.UTC(), kind: 1, id: f.MemberID}
		if f.PostID != nil {
			k = queueKey{since: f.Since.UTC(), id: *f.PostID}
		}
		if from == nil || k.compare(*from) > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, queueKey.compare)
	return keys[:min(len(keys), limit)], nil
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
	var from *queueKey
	if after != "" {
		k, ok := parseQueueCursor(after)
		if !ok {
			return nil, ErrBadQueueCursor
		}
		from = &k
	}
	keys, err := s.queueKeys(ctx, from, limit+1)
	if err != nil {
		return nil, fmt.Errorf("moderation: queue: %w", err)
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
// header: what Queue lists (posts held or hidden, shown posts with open flags,
// members with open reports), counted in the database. Every page a moderator
// sees shows it, so it reads no rows it does not count.
func (s *Service) Waiting(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Reader(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id
			WHERE p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL) +
		(SELECT COUNT(DISTINCT f.post_id) FROM flags f JOIN posts p ON p.id = f.post_id JOIN threads t ON t.id = p.thread_id
			WHERE f.resolved_at IS NULL AND f.post_id IS NOT NULL AND NOT p.pending AND p.deleted_at IS NULL AND t.deleted_at IS NULL) +
		(SELECT COUNT(DISTINCT f.member_id) FROM flags f WHERE f.resolved_at IS NULL AND f.post_id IS NULL)`).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("moderation: waiting: %w", err)
	}
	return n, nil
}

// Reject turns down a post that waits for review, or one that is shown with
// open flags, with a reason its author is told (post.rejected): the post is
// deleted, as a moderator's delete, and its flags are upheld; rejecting the
// question takes its thread. Of two moderators deciding
// on one post at once, the second is told it is no longer waiting.
func (s *Service) Reject(ctx context.Context, mod *user.User, postID int64, reason string) (*thread.Thread, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	var rejected *thread.Thread
	err = s.decideOnPost(ctx, mod, postID, func(ctx context.Context, p *thread.Post, t *thread.Thread) error {
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
