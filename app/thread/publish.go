package thread

import (
	"context"
	"hash/fnv"
	"strings"
	"time"

	"github.com/schwarm/schwarm/app/event"
	"github.com/schwarm/schwarm/app/user"
)

// admit decides, inside the writing transaction, whether author may post now
// and why the post waits for review ("" = it does not): newcomers are limited
// per day, and HoldReason holds a newcomer's first posts and links, silenced
// members' posts and what the spam rules catch.
func (s *Service) admit(ctx context.Context, author *user.User, source, html string, repeated bool) (held string, err error) {
	if err := s.mayWrite(author); err != nil {
		return "", err
	}
	if author.Role.IsStaff() && !author.Silenced(s.now()) {
		return "", nil // the checks below never hold staff
	}
	priv, spam := s.priv.Load(), s.spam.Load() // one version of each for the whole decision
	r := s.db.Writer(ctx)
	dayAgo := s.now().Add(-24 * time.Hour)
	var published int64
	if IsNewcomer(author, *priv) {
		var today int64
		if err := r.Table("posts").Where("author_id = ? AND created_at > ?", author.ID, dayAgo).Count(&today).Error; err != nil {
			return "", err
		}
		if priv.NewcomerPostsPerDay > 0 && today >= int64(priv.NewcomerPostsPerDay) {
			return "", ErrDailyLimit
		}
		if priv.ReviewFirstPosts > 0 {
			// A count of at most ReviewFirstPosts rows: LIMIT on the count itself
			// would limit its one result row and still count them all.
			if err := r.Raw("SELECT count(*) FROM (SELECT 1 FROM posts WHERE author_id = ? AND NOT pending LIMIT ?) p",
				author.ID, priv.ReviewFirstPosts).Scan(&published).Error; err != nil {
				return "", err
			}
		}
	}
	return HoldReason(author, *priv, *spam, s.now(), Draft{Source: source, Links: strings.Count(html, "<a "), Published: published, Repeated: repeated}), nil
}

// repeats reports whether source is the text of one of the author's posts
// within the spam rules' Repeat, for admit. It reads from the readers before the
// write's transaction: what that lets through is the same text sent twice at
// the same instant, which the write rate limit bounds.
func (s *Service) repeats(ctx context.Context, author *user.User, source string) (bool, error) {
	spam := s.spam.Load()
	if spam.Repeat <= 0 || author.Role.IsStaff() && !author.Silenced(s.now()) {
		return false, nil
	}
	var n int64
	err := s.db.Reader(ctx).Raw("SELECT count(*) FROM (SELECT 1 FROM posts WHERE author_id = ? AND source_sum = ? AND created_at > ? AND source = ? LIMIT 1) p",
		author.ID, SourceSum(source), s.now().Add(-spam.Repeat), source).Scan(&n).Error
	return n > 0, err
}

// SourceSum is the hash of a post's text that the repeat check looks up
// (posts.source_sum): FNV-1a, never 0, the value of posts written before it.
func SourceSum(source string) int64 {
	h := fnv.New64a()
	h.Write([]byte(source))
	return int64(h.Sum64() | 1)
}

// Publish takes p, a post in t that waited for review, out of review: it counts
// from now on, and a question publishes its thread. A post rejected (deleted)
// meanwhile only loses the mark. It is the state change of approving, a
// moderator action: call it in the caller's transaction with p locked
// (LockPost). A post no longer waiting is left alone; a post hidden after it
// was out (WasPublished) comes back without its first publication's facts and
// events again (republish). published says whether the post now counts: not
// when it was rejected or approved before.
func (s *Service) Publish(ctx context.Context, t *Thread, p *Post) (published bool, err error) {
	w := s.db.Writer(ctx)
	res := w.Exec("UPDATE posts SET pending = FALSE WHERE id = ? AND pending", p.ID)
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	if p.DeletedAt != nil {
		return false, nil // rejected before; approving it only clears the mark
	}
	if WasPublished(p.HeldReason) {
		return s.republish(ctx, t, p)
	}
	if p.IsQuestion {
		if err := w.Exec("UPDATE threads SET pending = FALSE WHERE id = ?", t.ID).Error; err != nil {
			return false, err
		}
		t.Pending = false
		if t.DeletedAt != nil {
			return false, nil
		}
		if err := s.duplicateChanged(ctx, t); err != nil {
			return false, err
		}
		return true, s.publishQuestion(ctx, t)
	}
	return true, s.publishAnswer(ctx, t, p)
}

// republish brings back p, a post that was out before it was hidden: it counts
// again in its board or thread, but its facts and its question.asked or
// answer.posted are those of its first publication, so that approving a
// hidden post neither pays its author twice nor notifies anyone again.
func (s *Service) republish(ctx context.Context, t *Thread, p *Post) (bool, error) {
	w := s.db.Writer(ctx)
	if !p.IsQuestion {
		return true, w.Exec("UPDATE threads SET answer_count = answer_count + 1 WHERE id = ?", t.ID).Error
	}
	if err := w.Exec("UPDATE threads SET pending = FALSE WHERE id = ?", t.ID).Error; err != nil {
		return false, err
	}
	was := counted(t)
	t.Pending = false
	if t.DeletedAt != nil {
		return false, nil
	}
	if was || !counted(t) { // hidden by staff meanwhile: it counts when restored
		return true, nil
	}
	if err := w.Exec("UPDATE boards SET thread_count = thread_count + 1 WHERE id = ?", t.BoardID).Error; err != nil {
		return false, err
	}
	return true, s.duplicateChanged(ctx, t)
}

// Hide takes p, a published post in t, back into review for reason (HeldFlagged,
// HeldByStaff), with note (a moderator's words, or ""): from now on only its
// author and moderators see it, it no longer counts in its thread's answers,
// and a hidden question hides its thread. post.hidden tells search and the
// author; actorID is who hid it (0: the flags did). It is a step of a
// moderation action: call it in the caller's transaction with p locked
// (LockPostInThread). hidden says whether it changed anything: not for a post
// already waiting or deleted.
func (s *Service) Hide(ctx context.Context, actorID int64, t *Thread, p *Post, reason, note string) (hidden bool, err error) {
	w := s.db.Writer(ctx)
	res := w.Exec("UPDATE posts SET pending = TRUE, held_reason = ?, held_at = ? WHERE id = ? AND NOT pending AND deleted_at IS NULL",
		reason, s.now(), p.ID)
	if res.Error != nil || res.RowsAffected == 0 {
		return false, res.Error
	}
	p.Pending, p.HeldReason = true, reason
	if p.IsQuestion {
		if err := w.Exec("UPDATE threads SET pending = TRUE WHERE id = ?", t.ID).Error; err != nil {
			return false, err
		}
		was := counted(t)
		t.Pending = true
		if was { // a thread hidden by staff is out of the counts already
			if err := w.Exec("UPDATE boards SET thread_count = thread_count - 1 WHERE id = ?", t.BoardID).Error; err != nil {
				return false, err
			}
			if err := s.duplicateChanged(ctx, t); err != nil {
				return false, err
			}
		}
	} else if err := w.Exec("UPDATE threads SET answer_count = answer_count - 1 WHERE id = ?", t.ID).Error; err != nil {
		return false, err
	}
	return true, event.Emit(ctx, s.db, actorID, event.PostHidden{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID,
		Question: p.IsQuestion, Reason: reason, Note: note})
}

// mayWrite refuses a suspended member's writes, with the end of the suspension
// and its reason (the page says it in the viewer's language before it gets here).
func (s *Service) mayWrite(u *user.User) error {
	return user.WriteError(u, s.now(), func(t time.Time) string { return t.UTC().Format(time.DateOnly) })
}

// publishQuestion makes a new or approved question count: in its board's number of
// threads and in its author's standing.
func (s *Service) publishQuestion(ctx context.Context, t *Thread) error {
	w := s.db.Writer(ctx)
	if err := w.Exec("UPDATE boards SET thread_count = thread_count + 1 WHERE id = ?", t.BoardID).Error; err != nil {
		return err
	}
	if err := s.ledger.Record(ctx, Fact{Kind: FactQuestion, UserID: t.AuthorID, ThreadID: t.ID, BoardID: t.BoardID}); err != nil {
		return err
	}
	var postID int64
	if err := w.Table("posts").Where("thread_id = ? AND is_question", t.ID).Select("id").Scan(&postID).Error; err != nil {
		return err
	}
	return event.Emit(ctx, s.db, t.AuthorID, event.QuestionAsked{ThreadID: t.ID, PostID: postID, AuthorID: t.AuthorID,
		BoardID: t.BoardID, Language: t.Language})
}

// publishAnswer makes a new or approved answer count: in the thread's answers and
// activity, and as facts for its author's standing when they helped someone else.
func (s *Service) publishAnswer(ctx context.Context, t *Thread, p *Post) error {
	w := s.db.Writer(ctx)
	// The first answer decides "unanswered": read the count in this transaction,
	// after the thread row is locked by the update. A thread merged meanwhile
	// matches no row (PostgreSQL reads the row again once the merge commits):
	// the answer would be left behind in it.
	var answers int
	if err := w.Raw("UPDATE threads SET answer_count = answer_count + 1, last_activity_at = ? WHERE id = ? AND merged_into IS NULL RETURNING answer_count", s.now(), t.ID).
		Scan(&answers).Error; err != nil {
		return err
	}
	if answers == 0 {
		return ErrNotFound
	}
	if p.AuthorID != t.AuthorID {
		var before int64 // 0 or 1: whether anyone but the asker answered first
		if err := w.Raw("SELECT count(*) FROM (SELECT 1 FROM posts WHERE thread_id = ? AND NOT is_question AND id < ? AND author_id <> ? AND NOT pending AND deleted_at IS NULL LIMIT 1) p",
			t.ID, p.ID, t.AuthorID).Scan(&before).Error; err != nil {
			return err
		}
		var first int64
		if err := w.Table("threads").Where("author_id = ?", t.AuthorID).Select("MIN(id)").Scan(&first).Error; err != nil {
			return err
		}
		fact := Fact{UserID: p.AuthorID, ActorID: t.AuthorID, ThreadID: t.ID, PostID: p.ID, BoardID: t.BoardID}
		facts := []Fact{withKind(fact, FactAnswer)}
		if before == 0 {
			facts = append(facts, withKind(fact, FactUnansweredAnswer))
		}
		if first == t.ID {
			facts = append(facts, withKind(fact, FactWelcome))
		}
		if p.CreatedAt.Sub(t.CreatedAt) <= QuickAnswer {
			facts = append(facts, withKind(fact, FactQuickAnswer))
		}
		if err := s.ledger.Record(ctx, facts...); err != nil {
			return err
		}
	}
	return event.Emit(ctx, s.db, p.AuthorID, event.AnswerPosted{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID, AskerID: t.AuthorID,
		BoardID: t.BoardID, Official: p.Official, First: answers == 1})
}

// hold notes that the new post p of t waits for review: staff find it in search,
// and the review queue hears of it.
func (s *Service) hold(ctx context.Context, t *Thread, p *Post) error {
	return event.Emit(ctx, s.db, p.AuthorID, event.PostHeld{ThreadID: t.ID, PostID: p.ID, AuthorID: p.AuthorID, Question: p.IsQuestion})
}

func withKind(f Fact, kind string) Fact {
	f.Kind = kind
	return f
}
