package moderation_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
)

// TestDeleteAndRestore: moderators delete anyone's post after the author's
// window has passed, and restore what anyone deleted; members get no more from
// the moderator actions than from app/thread.
func TestDeleteAndRestore(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	answer, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "try this")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Delete(ctx, e.fx.Member, answer.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member deleting another's answer: %v", err)
	}
	e.clock.Add(25 * time.Hour)
	if _, err := e.s.Delete(ctx, e.fx.Moderator, answer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Member, answer.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("a member restoring another's deleted answer: %v", err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Moderator, answer.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.threads.Get(ctx, th.ID); got.AnswerCount != 1 {
		t.Errorf("answer count after delete and restore %d", got.AnswerCount)
	}

	// Deleting the question hides the whole thread from everyone but moderators.
	page, _ := e.threads.Posts(ctx, e.fx.Member, th, 1)
	if _, err := e.s.Delete(ctx, e.fx.Moderator, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.threads.View(ctx, e.fx.Other, th.ID); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("deleted thread visible to a member: %v", err)
	}
	if _, err := e.threads.View(ctx, e.fx.Moderator, th.ID); err != nil {
		t.Errorf("deleted thread hidden from a moderator: %v", err)
	}
	if list, _ := e.threads.List(ctx, thread.Query{}); len(list.Threads) != 0 {
		t.Error("deleted thread listed")
	}
	if _, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "hello?"); !errors.Is(err, thread.ErrNotFound) {
		t.Errorf("reply to a deleted thread: %v", err)
	}
	if _, err := e.threads.Restore(ctx, e.fx.Member, page.Question.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("author restoring a moderator's delete: %v", err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Member, page.Question.ID); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member restoring through moderation: %v", err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Admin, page.Question.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.threads.List(ctx, thread.Query{}); len(list.Threads) != 1 {
		t.Error("restored thread not listed")
	}
	b, _ := e.boards.Get(ctx, e.board.ID)
	if b.ThreadCount != 1 {
		t.Errorf("board count %d after delete and restore", b.ThreadCount)
	}
}

// TestDeletesReachTheOutbox: a moderator's delete and restore each leave one
// outbox record in their transaction; a restore of what is not deleted, none.
func TestDeletesReachTheOutbox(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	count := func() int {
		var n int64
		if err := e.db.Reader(ctx).Model(&outbox.Entry{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	a, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "answer")
	if err != nil {
		t.Fatal(err)
	}
	before := count()
	if _, err := e.s.Delete(ctx, e.fx.Moderator, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Moderator, a.ID); err != nil {
		t.Fatal(err)
	}
	e.s.Restore(ctx, e.fx.Moderator, a.ID) // not deleted
	if got := count() - before; got != 2 {
		t.Errorf("%d outbox records after delete, restore and a restore of nothing; want 2", got)
	}
}

// TestConcurrentDeletes: moderators deleting one post at once count it once, on
// both databases.
func TestConcurrentDeletes(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi")
	var answers []*thread.Post
	for _, body := range []string{"answer 1", "answer 2"} {
		a, err := e.threads.Reply(ctx, e.fx.Other, th.ID, body)
		if err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.Delete(ctx, e.fx.Moderator, answers[0].ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _ := e.threads.Get(ctx, th.ID); got.AnswerCount != 1 {
		t.Errorf("answer count %d after deleting 1 of 2 answers 4 times, want 1", got.AnswerCount)
	}
}
