package thread

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/schwarm/schwarm/app/problem"
	"github.com/schwarm/schwarm/app/user"
)

// The state changes of what staff do to whole threads: lock, pin, hide, move,
// merge and split. app/moderation builds its actions from them, inside its own
// transaction, after its role check and LockThreads; they check nothing of who
// may, and emit no event but those of app/thread's own state (aliases).

// ErrSplitPosts refuses a split of posts that are not published answers of
// the thread.
var ErrSplitPosts = problem.New(http.StatusUnprocessableEntity, "split.posts", "thread: split: only published answers of the thread")

// Kinds of notices, what a thread page tells about what staff did to it.
const (
	NoticeMoved     = "moved"      // Detail: the id of the board it came from
	NoticeMerged    = "merged"     // on the target; Detail: the title of the thread merged into it
	NoticeSplitFrom = "split_from" // on the new thread; Detail: the id of the thread it came from
	NoticeSplitTo   = "split_to"   // on the old thread; Detail: the id of the new thread
	NoticeLocked    = "locked"
	NoticeUnlocked  = "unlocked"
	NoticePinned    = "pinned"
	NoticeUnpinned  = "unpinned"
	NoticeHidden    = "hidden"
	NoticeRestored  = "restored"
)

// Notice is one line of what happened to a thread.
type Notice struct {
	ID        int64
	ThreadID  int64
	Kind      string
	ActorID   int64
	Reason    string
	Detail    string
	CreatedAt time.Time
}

// TableName keeps GORM off the pluralised default.
func (Notice) TableName() string { return "thread_notices" }

// AddNotice writes n, in the caller's transaction.
func (s *Service) AddNotice(ctx context.Context, n Notice) error {
	n.ID, n.CreatedAt = 0, s.now().UTC()
	if err := s.db.Writer(ctx).Create(&n).Error; err != nil {
		return fmt.Errorf("thread %d: notice %s: %w", n.ThreadID, n.Kind, err)
	}
	return nil
}

// maxNotices is how many notices a thread page shows, the latest.
const maxNotices = 20

// Notices returns what viewer may read of what happened to t, oldest first:
// members read of moves, merges, splits and locks; that it was hidden and
// restored its author and staff; pins staff only (the list shows them).
func (s *Service) Notices(ctx context.Context, viewer *user.User, t *Thread) ([]Notice, error) {
	kinds := []string{NoticeMoved, NoticeMerged, NoticeSplitFrom, NoticeSplitTo, NoticeLocked, NoticeUnlocked}
	if CanModerate(viewer) || viewer != nil && viewer.ID == t.AuthorID {
		kinds = append(kinds, NoticeHidden, NoticeRestored)
	}
	if CanModerate(viewer) {
		kinds = append(kinds, NoticePinned, NoticeUnpinned)
	}
	var out []Notice
	err := s.db.Reader(ctx).Where("thread_id = ? AND kind IN ?", t.ID, kinds).Order("id DESC").Limit(maxNotices).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("thread %d: notices: %w", t.ID, err)
	}
	slices.Reverse(out)
	return out, nil
}

// counted reports whether t counts in its board's and tags' numbers of threads:
// published, not deleted and not hidden.
func counted(t *Thread) bool { return !t.Pending && t.DeletedAt == nil && t.HiddenAt == nil }

// countIn adds delta to the number of threads of t's board (boardID) and tags.
func (s *Service) countIn(ctx context.Context, t *Thread, boardID int64, delta int) error {
	w := s.db.Writer(ctx)
	if err := w.Exec("UPDATE boards SET thread_count = thread_count + ? WHERE id = ?", delta, boardID).Error; err != nil {
		return fmt.Errorf("thread %d: board count: %w", t.ID, err)
	}
	if err := w.Exec("UPDATE tags SET thread_count = thread_count + ? WHERE id IN (SELECT tag_id FROM thread_tags WHERE thread_id = ?)", delta, t.ID).Error; err != nil {
		return fmt.Errorf("thread %d: tag counts: %w", t.ID, err)
	}
	return nil
}

// SetLocked locks or unlocks t and says whether that changed anything.
func (s *Service) SetLocked(ctx context.Context, t *Thread, locked bool) (bool, error) {
	res := s.db.Writer(ctx).Exec("UPDATE threads SET locked = ? WHERE id = ? AND locked <> ?", locked, t.ID, locked)
	if res.Error != nil {
		return false, fmt.Errorf("thread %d: lock: %w", t.ID, res.Error)
	}
	t.Locked = locked
	return res.RowsAffected > 0, nil
}

// SetPinned pins t in its board, or unpins it, and says whether that changed
// anything.
func (s *Service) SetPinned(ctx context.Context, t *Thread, pinned bool) (bool, error) {
	var at any
	was := "IS NOT NULL"
	if pinned {
		at, was = s.now().UTC(), "IS NULL"
	}
	res := s.db.Writer(ctx).Exec("UPDATE threads SET pinned_at = ? WHERE id = ? AND pinned_at "+was, at, t.ID)
	if res.Error != nil {
		return false, fmt.Errorf("thread %d: pin: %w", t.ID, res.Error)
	}
	return res.RowsAffected > 0, nil
}

// SetHidden hides t from everyone but its author and staff, or shows it again,
// by actor, and says whether that changed anything. A hidden thread leaves its
// board's count and lends its title to no canonical thread.
func (s *Service) SetHidden(ctx context.Context, actor *user.User, t *Thread, hidden bool) (bool, error) {
	var at, by any
	was, delta := "IS NOT NULL", 1
	if hidden {
		at, by, was, delta = s.now().UTC(), actor.ID, "IS NULL", -1
	}
	wasCounted := counted(t)
	res := s.db.Writer(ctx).Exec("UPDATE threads SET hidden_at = ?, hidden_by = ? WHERE id = ? AND hidden_at "+was, at, by, t.ID)
	if res.Error != nil {
		return false, fmt.Errorf("thread %d: hide: %w", t.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	if hidden {
		now := s.now().UTC()
		t.HiddenAt, t.HiddenBy = &now, &actor.ID
	} else {
		t.HiddenAt, t.HiddenBy = nil, nil
	}
	if wasCounted != counted(t) {
		if err := s.countIn(ctx, t, t.BoardID, delta); err != nil {
			return false, err
		}
	}
	return true, s.duplicateChanged(ctx, t)
}

// Move puts t into the board boardID; the boards' counts follow.
func (s *Service) Move(ctx context.Context, t *Thread, boardID int64) error {
	if err := s.db.Writer(ctx).Exec("UPDATE threads SET board_id = ? WHERE id = ?", boardID, t.ID).Error; err != nil {
		return fmt.Errorf("thread %d: move: %w", t.ID, err)
	}
	if counted(t) { // tags count threads in every board: they stay
		err := s.db.Writer(ctx).Exec("UPDATE boards SET thread_count = thread_count + CASE WHEN id = ? THEN 1 ELSE -1 END WHERE id IN ?",
			boardID, []int64{t.BoardID, boardID}).Error
		if err != nil {
			return fmt.Errorf("thread %d: move: board counts: %w", t.ID, err)
		}
	}
	t.BoardID = boardID
	return nil
}

// Final follows id's merges to the thread it ended up in: id itself when it
// was never merged.
func (s *Service) Final(ctx context.Context, id int64) (*Thread, error) {
	t, err := s.Get(ctx, id)
	for hops := 0; err == nil && t.MergedInto != nil; hops++ {
		if hops == 20 { // merges refuse cycles; this only guards against a broken row
			return nil, fmt.Errorf("thread %d: merged too often: %w", id, ErrNotFound)
		}
		t, err = s.Get(ctx, *t.MergedInto)
	}
	return t, err
}

// Merge moves every post of source into target, as actor: the source's
// question becomes an answer, and each post keeps its author, times and kudos
// (kudos belong to posts). The source becomes a redirect to target: merged,
// and deleted so that lists and counts leave it out. Both threads' numbers and
// the boards' are put right. It returns the solution the target took over from
// the source, if any.
//
// Reputation stays as earned: the ledger records what happened to whom, and a
// merge changes nothing of that, so facts are neither re-run nor taken back.
// Only when the source's solution becomes the target's are the facts recorded
// that make it the target's, so that withdrawing it later balances: the
// target's asker's accept, and a solution for an answer that now helps
// someone else. When the target has a solution already, the source's stays a
// plain answer and its author keeps what it earned.
func (s *Service) Merge(ctx context.Context, actor *user.User, source, target *Thread) (*int64, error) {
	w := s.db.Writer(ctx)
	wasCounted := counted(source)
	if err := w.Exec("UPDATE posts SET thread_id = ?, is_question = FALSE WHERE thread_id = ?", target.ID, source.ID).Error; err != nil {
		return nil, fmt.Errorf("thread %d: merge into %d: %w", source.ID, target.ID, err)
	}
	var moved *int64
	if target.SolutionPostID == nil && source.SolutionPostID != nil {
		moved = source.SolutionPostID
		if err := w.Exec("UPDATE threads SET solution_post_id = ?, state = ? WHERE id = ?", *moved, StateSolved, target.ID).Error; err != nil {
			return nil, fmt.Errorf("thread %d: merge: solution: %w", source.ID, err)
		}
		author, err := s.postAuthor(ctx, *moved)
		if err != nil {
			return nil, err
		}
		fact := Fact{UserID: author, ActorID: actor.ID, ThreadID: target.ID, PostID: *moved, BoardID: target.BoardID}
		var facts []Fact
		if author != target.AuthorID {
			facts = append(facts, Fact{Kind: FactAccept, UserID: target.AuthorID, ActorID: actor.ID, ThreadID: target.ID, PostID: *moved, BoardID: target.BoardID})
			if author == source.AuthorID { // earned nothing as the asker's own answer; now it helps someone else
				facts = append(facts, withKind(fact, FactSolution))
			}
		}
		if err := s.ledger.Record(ctx, facts...); err != nil {
			return nil, err
		}
		target.SolutionPostID, target.State = moved, StateSolved
	}
	now := s.now().UTC()
	last := target.LastActivityAt
	if source.LastActivityAt.After(last) {
		last = source.LastActivityAt
	}
	if err := w.Exec("UPDATE threads SET merged_into = ?, deleted_at = COALESCE(deleted_at, ?), deleted_by = COALESCE(deleted_by, ?), "+
		"answer_count = 0, solution_post_id = NULL, state = ?, pinned_at = NULL WHERE id = ?", target.ID, now, actor.ID, StateOpen, source.ID).Error; err != nil {
		return nil, fmt.Errorf("thread %d: merge: %w", source.ID, err)
	}
	if err := w.Exec("UPDATE threads SET last_activity_at = ? WHERE id = ?", last, target.ID).Error; err != nil {
		return nil, fmt.Errorf("thread %d: merge: %w", target.ID, err)
	}
	if err := s.recountAnswers(ctx, target.ID); err != nil {
		return nil, err
	}
	if wasCounted {
		if err := s.countIn(ctx, source, source.BoardID, -1); err != nil {
			return nil, err
		}
	}
	// Duplicates of the source are the target's now; the source lends its
	// title to its own canonical thread no more.
	if err := w.Exec("UPDATE threads SET duplicate_of = ? WHERE duplicate_of = ?", target.ID, source.ID).Error; err != nil {
		return nil, fmt.Errorf("thread %d: merge: duplicates: %w", source.ID, err)
	}
	synced := []int64{source.ID, target.ID}
	if source.DuplicateOf != nil {
		synced = append(synced, *source.DuplicateOf)
	}
	if err := s.SyncDuplicateAliases(ctx, synced...); err != nil {
		return nil, err
	}
	source.MergedInto, source.DeletedAt = &target.ID, &now
	return moved, nil
}

// recountAnswers sets the answer count of each thread in ids from its posts.
func (s *Service) recountAnswers(ctx context.Context, ids ...int64) error {
	err := s.db.Writer(ctx).Exec("UPDATE threads SET answer_count = (SELECT COUNT(*) FROM posts p WHERE p.thread_id = threads.id "+
		"AND NOT p.is_question AND p.deleted_at IS NULL AND NOT p.pending) WHERE id IN ?", ids).Error
	if err != nil {
		return fmt.Errorf("thread: recount answers: %w", err)
	}
	return nil
}

// Split moves the answers postIDs of t into a new thread titled title in the
// board boardID: the first of them (by id, which is their order) becomes its
// question, and each keeps its author, times and kudos. A solution among them
// leaves t, which is open again, and is a plain answer in the new thread: it is
// withdrawn as the actor withdrawing it would (its points and the asker's
// accept go back, solution.withdrawn), since it no longer answers t and the
// asker may accept another, which would otherwise pay twice. It returns the
// new thread.
func (s *Service) Split(ctx context.Context, actor *user.User, t *Thread, postIDs []int64, title string, boardID int64) (*Thread, error) {
	ids := slices.Clone(postIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	w := s.db.Writer(ctx)
	var posts []Post
	if err := w.Where("id IN ?", ids).Order("id").Find(&posts).Error; err != nil {
		return nil, fmt.Errorf("thread %d: split: %w", t.ID, err)
	}
	if len(posts) != len(ids) {
		return nil, ErrSplitPosts
	}
	last := posts[0].CreatedAt
	for _, p := range posts {
		if p.ThreadID != t.ID || p.IsQuestion || p.DeletedAt != nil || p.Pending {
			return nil, ErrSplitPosts
		}
		if p.CreatedAt.After(last) {
			last = p.CreatedAt
		}
	}
	first := posts[0]
	title = normaliseTitle(title)
	n := &Thread{BoardID: boardID, AuthorID: first.AuthorID, Title: title, Slug: Slugify(title), Language: t.Language, State: StateOpen,
		CreatedAt: first.CreatedAt, LastActivityAt: last}
	if err := w.Create(n).Error; err != nil {
		return nil, fmt.Errorf("thread %d: split: %w", t.ID, err)
	}
	if err := w.Exec("UPDATE posts SET thread_id = ?, is_question = (id = ?) WHERE id IN ?", n.ID, first.ID, ids).Error; err != nil {
		return nil, fmt.Errorf("thread %d: split: %w", t.ID, err)
	}
	if old := t.SolutionPostID; old != nil && slices.Contains(ids, *old) {
		if err := s.setSolution(ctx, actor, t, old, nil); err != nil {
			return nil, fmt.Errorf("thread %d: split: solution: %w", t.ID, err)
		}
		if err := s.solutionFacts(ctx, actor, t, *old, false); err != nil {
			return nil, fmt.Errorf("thread %d: split: solution: %w", t.ID, err)
		}
		t.SolutionPostID, t.State = nil, StateOpen
	}
	if err := s.recountAnswers(ctx, t.ID, n.ID); err != nil {
		return nil, err
	}
	if err := w.Exec("UPDATE boards SET thread_count = thread_count + 1 WHERE id = ?", boardID).Error; err != nil {
		return nil, fmt.Errorf("thread %d: split: board count: %w", t.ID, err)
	}
	return s.Get(ctx, n.ID)
}
