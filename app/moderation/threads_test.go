package moderation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/schwarm/schwarm/app/audit"
	"github.com/schwarm/schwarm/app/board"
	"github.com/schwarm/schwarm/app/moderation"
	"github.com/schwarm/schwarm/app/outbox"
	"github.com/schwarm/schwarm/app/thread"
	"github.com/schwarm/schwarm/app/user"
	"github.com/schwarm/schwarm/app/validate"
)

// boardCount reads a board's number of threads from its row.
func (e *env) boardCount(t *testing.T, id int64) int {
	t.Helper()
	var n int
	if err := e.db.Reader(context.Background()).Raw("SELECT thread_count FROM boards WHERE id = ?", id).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// topics returns the topics of the outbox records after the id after.
func (e *env) topics(t *testing.T, after int64) []string {
	t.Helper()
	var records []outbox.Entry
	if err := e.db.Reader(context.Background()).Where("id > ?", after).Order("id").Find(&records).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range records {
		out = append(out, r.Topic)
	}
	return out
}

// head returns the id of the newest outbox record.
func (e *env) head(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := e.db.Reader(context.Background()).Raw("SELECT COALESCE(MAX(id), 0) FROM outbox").Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// lastAudit returns the newest row of the audit log.
func (e *env) lastAudit(t *testing.T) audit.Entry {
	t.Helper()
	page, err := audit.New(e.db, e.clock.Now).List(context.Background(), audit.Filter{}, 1)
	if err != nil || len(page.Entries) == 0 {
		t.Fatalf("audit log: %v, %d rows", err, len(page.Entries))
	}
	return page.Entries[0]
}

func (e *env) newBoard(t *testing.T, slug, name string) *board.Board {
	t.Helper()
	b := &board.Board{Slug: slug, NameEN: name, NameDE: name}
	if err := e.boards.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) reply(t *testing.T, author *user.User, th *thread.Thread, body string) *thread.Post {
	t.Helper()
	p, err := e.threads.Reply(context.Background(), author, th.ID, body)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	return p
}

func (e *env) get(t *testing.T, id int64) *thread.Thread {
	t.Helper()
	th, err := e.threads.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// TestMoveThread: a moderator moves a thread, the boards' counts follow, the
// page tells members where it came from, and the audit log says from and to.
func TestMoveThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	billing := e.newBoard(t, "billing", "Billing")
	th := e.ask(t, e.fx.Member, "Invoice shows the wrong router")
	if _, err := e.s.Move(ctx, e.fx.Member, th.ID, billing.ID, ""); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member moves: %v", err)
	}
	if _, err := e.s.Move(ctx, e.fx.Moderator, th.ID, e.board.ID, ""); !errors.Is(err, moderation.ErrMoveSame) {
		t.Errorf("move to its own board: %v", err)
	}
	if _, err := e.s.Move(ctx, e.fx.Moderator, th.ID, 999_999, ""); !errors.Is(err, moderation.ErrBoard) {
		t.Errorf("move to a missing board: %v", err)
	}
	before := e.head(t)
	moved, err := e.s.Move(ctx, e.fx.Moderator, th.ID, billing.ID, "  about money  ")
	if err != nil {
		t.Fatal(err)
	}
	if moved.BoardID != billing.ID || e.get(t, th.ID).BoardID != billing.ID {
		t.Errorf("board after the move: %d", e.get(t, th.ID).BoardID)
	}
	if got, want := []int{e.boardCount(t, e.board.ID), e.boardCount(t, billing.ID)}, []int{0, 1}; !slices.Equal(got, want) {
		t.Errorf("board counts %v, want %v", got, want)
	}
	if got := e.topics(t, before); !slices.Equal(got, []string{"thread.moved"}) {
		t.Errorf("events %v", got)
	}
	notices, err := e.threads.Notices(ctx, e.fx.Other, moved)
	if err != nil || len(notices) != 1 {
		t.Fatalf("notices %v, %v", notices, err)
	}
	if n := notices[0]; n.Kind != thread.NoticeMoved || n.Reason != "about money" || n.Detail != fmt.Sprint(e.board.ID) {
		t.Errorf("notice %+v", n)
	}
	a := e.lastAudit(t)
	if a.Action != audit.MoveThread || a.Before != fmt.Sprintf("board %d", e.board.ID) || a.After != fmt.Sprintf("board %d", billing.ID) || a.Reason != "about money" {
		t.Errorf("audit %+v", a)
	}
	if list, _ := e.threads.List(ctx, thread.Query{BoardID: billing.ID}); len(list.Threads) != 1 {
		t.Error("the moved thread is not listed in its new board")
	}
}

// TestMergeThreads: every post of the source moves into the target with its
// author, time and kudos; the source's solution becomes the target's; counts
// are right; the source leads to the target; reputation stays.
func TestMergeThreads(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	source := e.ask(t, e.fx.Member, "Router drops Wi-Fi every night")
	answer := e.reply(t, e.fx.Other, source, "Switch the channel to 6.")
	if _, _, err := e.threads.GiveKudos(ctx, e.fx.Member, answer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.threads.Accept(ctx, e.fx.Member, answer.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	target := e.ask(t, e.fx.Other, "Wi-Fi gone at night since the update")
	own := e.reply(t, e.fx.Agent, target, "Which firmware do you have?")
	sourceQuestion := e.questionOf(t, source)
	countBefore := e.boardCount(t, e.board.ID)

	before := e.head(t)
	merged, err := e.s.Merge(ctx, e.fx.Moderator, source.ID, target.ID, "same problem")
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != target.ID {
		t.Fatalf("merged into %d", merged.ID)
	}
	if got := e.topics(t, before); !slices.Equal(got, []string{"thread.merged"}) {
		t.Errorf("events %v", got)
	}
	got := e.get(t, target.ID)
	if got.SolutionPostID == nil || *got.SolutionPostID != answer.ID || got.State != thread.StateSolved {
		t.Errorf("target solution %v, state %s", got.SolutionPostID, got.State)
	}
	if got.AnswerCount != 3 {
		t.Errorf("target answers %d, want 3 (its own, the source's question and answer)", got.AnswerCount)
	}
	page, err := e.threads.Posts(ctx, e.fx.Other, got, 1)
	if err != nil {
		t.Fatal(err)
	}
	type shown struct {
		ID, Author int64
		Question   bool
		Created    time.Time
		Kudos      int
	}
	var rows []shown
	for _, p := range append([]thread.ShownPost{*page.Question}, page.Answers...) {
		rows = append(rows, shown{p.ID, p.AuthorID, p.IsQuestion, p.CreatedAt.UTC(), p.KudosCount})
	}
	want := []shown{
		{e.questionOf(t, target), e.fx.Other.ID, true, target.CreatedAt.UTC(), 0},
		{sourceQuestion, e.fx.Member.ID, false, source.CreatedAt.UTC(), 0},
		{answer.ID, e.fx.Other.ID, false, answer.CreatedAt.UTC(), 1},
		{own.ID, e.fx.Agent.ID, false, own.CreatedAt.UTC(), 0},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("target's posts (-want +got)\n%s", diff)
	}
	old := e.get(t, source.ID)
	if old.MergedInto == nil || *old.MergedInto != target.ID || old.DeletedAt == nil || old.AnswerCount != 0 {
		t.Errorf("source after the merge: merged into %v, deleted %v, answers %d", old.MergedInto, old.DeletedAt, old.AnswerCount)
	}
	if final, err := e.threads.Final(ctx, source.ID); err != nil || final.ID != target.ID {
		t.Errorf("Final(source) = %v, %v", final, err)
	}
	if n := e.boardCount(t, e.board.ID); n != countBefore-1 {
		t.Errorf("board count %d, want %d", n, countBefore-1)
	}
	if ids := listed(t, e); slices.Contains(ids, source.ID) || !slices.Contains(ids, target.ID) {
		t.Errorf("listed %v: the source must be gone, the target there", ids)
	}
	a := e.lastAudit(t)
	if a.Action != audit.MergeThread || a.Before != fmt.Sprintf("#%d", source.ID) || a.After != fmt.Sprintf("#%d", target.ID) || *a.ThreadID != source.ID {
		t.Errorf("audit %+v", a)
	}
	notices, _ := e.threads.Notices(ctx, nil, got)
	if len(notices) != 1 || notices[0].Kind != thread.NoticeMerged || notices[0].Detail != source.Title {
		t.Errorf("target notices %+v", notices)
	}
	// Kudos and solutions follow: taking kudos back and withdrawing the
	// solution work on the target.
	if _, n, err := e.threads.TakeKudos(ctx, e.fx.Member, answer.ID); err != nil || n != 0 {
		t.Errorf("kudos taken back on the target: %d, %v", n, err)
	}
	if _, err := e.threads.Unaccept(ctx, e.fx.Other, target.ID); err != nil {
		t.Errorf("the target's asker withdraws the solution taken over: %v", err)
	}
}

// TestMergeKeepsTheTargetsSolution: a target with a solution keeps it; the
// source's stays a plain answer.
func TestMergeKeepsTheTargetsSolution(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	source := e.ask(t, e.fx.Member, "Router drops Wi-Fi every night")
	a1 := e.reply(t, e.fx.Other, source, "Switch the channel to 6.")
	target := e.ask(t, e.fx.Other, "Wi-Fi gone at night since the update")
	a2 := e.reply(t, e.fx.Agent, target, "Roll back the firmware.")
	for _, a := range []*thread.Post{a1, a2} {
		if _, err := e.threads.Accept(ctx, e.fx.Moderator, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.Merge(ctx, e.fx.Moderator, source.ID, target.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, target.ID); got.SolutionPostID == nil || *got.SolutionPostID != a2.ID {
		t.Errorf("target solution %v, want its own %d", got.SolutionPostID, a2.ID)
	}
}

// TestMergeRefusals: into itself, into a deleted, hidden or merged thread, and
// across a cycle; a refusal changes nothing.
func TestMergeRefusals(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	a := e.ask(t, e.fx.Member, "Router drops Wi-Fi every night")
	b := e.ask(t, e.fx.Other, "Wi-Fi gone at night since the update")
	deleted := e.ask(t, e.fx.Other, "A question a moderator deleted")
	if _, err := e.s.Delete(ctx, e.fx.Moderator, e.questionOf(t, deleted)); err != nil {
		t.Fatal(err)
	}
	hidden := e.ask(t, e.fx.Other, "A question a moderator hid")
	if err := e.s.HideThread(ctx, e.fx.Moderator, hidden.ID, "spam"); err != nil {
		t.Fatal(err)
	}
	gone := e.ask(t, e.fx.Other, "A question merged into b")
	if _, err := e.s.Merge(ctx, e.fx.Moderator, gone.ID, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		who            *user.User
		source, target int64
		want           error
	}{
		{"a member", e.fx.Member, a.ID, b.ID, thread.ErrForbidden},
		{"into itself", e.fx.Moderator, a.ID, a.ID, moderation.ErrMergeSelf},
		{"into a deleted thread", e.fx.Moderator, a.ID, deleted.ID, moderation.ErrMergeTarget},
		{"into a hidden thread", e.fx.Moderator, a.ID, hidden.ID, moderation.ErrMergeTarget},
		{"into a merged thread", e.fx.Moderator, a.ID, gone.ID, moderation.ErrMergeTarget},
		{"into a missing thread", e.fx.Moderator, a.ID, 999_999, moderation.ErrMergeTarget},
		{"a merged thread again", e.fx.Moderator, gone.ID, a.ID, moderation.ErrMergeSource},
		{"a hidden thread, which the merge would make public", e.fx.Moderator, hidden.ID, a.ID, moderation.ErrMergeSource},
		{"back into what was merged into it (a cycle)", e.fx.Moderator, b.ID, gone.ID, moderation.ErrMergeCycle},
	}
	before := e.head(t)
	for _, tt := range tests {
		if _, err := e.s.Merge(ctx, tt.who, tt.source, tt.target, ""); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if got := e.topics(t, before); len(got) != 0 {
		t.Errorf("refusals wrote events %v", got)
	}
	if got := e.get(t, a.ID); got.MergedInto != nil || got.DeletedAt != nil {
		t.Error("a refused merge changed the source")
	}
}

// split is what a moderator asks of a split.
type split struct {
	PostIDs []int64
	Title   string
	BoardID int64
}

// TestSplitThread: chosen answers become a new thread in the chosen board, the
// first of them its question, with authors and times kept; choosing none or
// the question is refused.
func TestSplitThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	other := e.newBoard(t, "tv", "TV")
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi every night")
	keep := e.reply(t, e.fx.Other, th, "Switch the channel to 6.")
	off1 := e.reply(t, e.fx.Agent, th, "By the way, my TV box loses its picture.")
	off2 := e.reply(t, e.fx.Other, th, "Mine too: restart the TV box.")
	if _, err := e.threads.Accept(ctx, e.fx.Member, off2.ID); err != nil {
		t.Fatal(err)
	}

	refusals := []struct {
		name string
		who  *user.User
		sp   split
		want error
	}{
		{"a member", e.fx.Member, split{PostIDs: []int64{off1.ID}, Title: "TV box loses its picture", BoardID: other.ID}, thread.ErrForbidden},
		{"the question", e.fx.Moderator, split{PostIDs: []int64{e.questionOf(t, th)}, Title: "TV box loses its picture", BoardID: other.ID}, moderation.ErrSplitQuestion},
		{"a post of another thread", e.fx.Moderator, split{PostIDs: []int64{e.questionOf(t, e.ask(t, e.fx.Other, "Another question here"))}, Title: "TV box loses its picture", BoardID: other.ID}, thread.ErrSplitPosts},
		{"a missing board", e.fx.Moderator, split{PostIDs: []int64{off1.ID}, Title: "TV box loses its picture", BoardID: 999_999}, moderation.ErrBoard},
	}
	for _, r := range refusals {
		if _, err := e.s.Split(ctx, r.who, th.ID, r.sp.PostIDs, r.sp.Title, r.sp.BoardID, ""); !errors.Is(err, r.want) {
			t.Errorf("%s: %v, want %v", r.name, err, r.want)
		}
	}
	_, err := e.s.Split(ctx, e.fx.Moderator, th.ID, nil, "TV", other.ID, "")
	if errs, ok := validate.From(err); !ok || errs["posts"] != "split.none" || errs["title"] != "thread.title.short" {
		t.Errorf("nothing chosen, short title: %v", err)
	}

	before := e.head(t)
	n, err := e.s.Split(ctx, e.fx.Moderator, th.ID, []int64{off2.ID, off1.ID}, "TV box loses its picture", other.ID, "another topic")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.topics(t, before); !slices.Equal(got, []string{"solution.withdrawn", "thread.split"}) {
		t.Errorf("events %v", got)
	}
	if n.BoardID != other.ID || n.AuthorID != e.fx.Agent.ID || !n.CreatedAt.Equal(off1.CreatedAt) || n.AnswerCount != 1 || n.Slug != "tv-box-loses-its-picture" {
		t.Errorf("new thread %+v", n)
	}
	page, err := e.threads.Posts(ctx, e.fx.Other, n, 1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Question.ID != off1.ID || page.Question.AuthorID != e.fx.Agent.ID || len(page.Answers) != 1 || page.Answers[0].ID != off2.ID ||
		!page.Answers[0].CreatedAt.Equal(off2.CreatedAt) {
		t.Errorf("new thread's posts: question %d, answers %v", page.Question.ID, page.Answers)
	}
	old := e.get(t, th.ID)
	if old.AnswerCount != 1 || old.SolutionPostID != nil || old.State != thread.StateOpen {
		t.Errorf("old thread: %d answers, solution %v, state %s", old.AnswerCount, old.SolutionPostID, old.State)
	}
	if page, _ := e.threads.Posts(ctx, e.fx.Other, old, 1); len(page.Answers) != 1 || page.Answers[0].ID != keep.ID {
		t.Errorf("old thread keeps %v", page.Answers)
	}
	if e.boardCount(t, other.ID) != 1 {
		t.Errorf("the new board counts %d threads", e.boardCount(t, other.ID))
	}
	a := e.lastAudit(t)
	if a.Action != audit.SplitThread || a.Before != fmt.Sprintf("posts %d, %d", off1.ID, off2.ID) || a.After != fmt.Sprintf("#%d", n.ID) {
		t.Errorf("audit %+v", a)
	}
	for _, c := range []struct {
		th   *thread.Thread
		kind string
		ref  int64
	}{{old, thread.NoticeSplitTo, n.ID}, {n, thread.NoticeSplitFrom, th.ID}} {
		notices, _ := e.threads.Notices(ctx, nil, c.th)
		if len(notices) != 1 || notices[0].Kind != c.kind || notices[0].Detail != fmt.Sprint(c.ref) || notices[0].Reason != "another topic" {
			t.Errorf("notices of %d: %+v", c.th.ID, notices)
		}
	}
}

// TestLockThread: members cannot answer, edit, accept or give kudos in a
// locked thread, staff can; locking twice is one change; a solved thread stays
// solved.
func TestLockThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Router drops Wi-Fi every night")
	a1 := e.reply(t, e.fx.Other, th, "Switch the channel to 6.")
	a2 := e.reply(t, e.fx.Other, th, "Or restart it.")
	if _, err := e.threads.Accept(ctx, e.fx.Member, a1.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Lock(ctx, e.fx.Member, th.ID, ""); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member locks: %v", err)
	}
	before := e.head(t)
	for range 2 {
		if err := e.s.Lock(ctx, e.fx.Moderator, th.ID, "heated"); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.topics(t, before); !slices.Equal(got, []string{"thread.locked"}) {
		t.Errorf("events of locking twice: %v", got)
	}
	if got := e.get(t, th.ID); !got.Locked || got.State != thread.StateSolved {
		t.Errorf("locked %v, state %s", got.Locked, got.State)
	}
	if _, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "Late answer"); !errors.Is(err, thread.ErrLocked) {
		t.Errorf("a member answers: %v", err)
	}
	if _, err := e.threads.Edit(ctx, e.fx.Other, a1.ID, thread.Edit{Body: "changed"}); !errors.Is(err, thread.ErrLocked) {
		t.Errorf("a member edits: %v", err)
	}
	if _, err := e.threads.Accept(ctx, e.fx.Member, a2.ID); !errors.Is(err, thread.ErrLocked) {
		t.Errorf("the asker accepts: %v", err)
	}
	if _, _, err := e.threads.GiveKudos(ctx, e.fx.Member, a2.ID); !errors.Is(err, thread.ErrLocked) {
		t.Errorf("a member gives kudos: %v", err)
	}
	if _, err := e.threads.Reply(ctx, e.fx.Agent, th.ID, "Official: fixed in 7.2."); err != nil {
		t.Errorf("an agent answers: %v", err)
	}
	if _, err := e.threads.Accept(ctx, e.fx.Moderator, a2.ID); err != nil {
		t.Errorf("a moderator accepts: %v", err)
	}
	if a := e.lastAudit(t); a.Action != audit.LockThread || a.Reason != "heated" {
		t.Errorf("audit %+v", a)
	}
	if err := e.s.Unlock(ctx, e.fx.Moderator, th.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.threads.Reply(ctx, e.fx.Other, th.ID, "Now it takes answers"); err != nil {
		t.Errorf("a member answers after unlocking: %v", err)
	}
	notices, _ := e.threads.Notices(ctx, e.fx.Other, th)
	var kinds []string
	for _, n := range notices {
		kinds = append(kinds, n.Kind)
	}
	if !slices.Equal(kinds, []string{thread.NoticeLocked, thread.NoticeUnlocked}) {
		t.Errorf("notices %v", kinds)
	}
}

// TestPinThread: a pinned thread lists first in its board, not elsewhere
// first, and only on the first page.
func TestPinThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	old := e.ask(t, e.fx.Member, "Oldest question of the board")
	var newer []*thread.Thread
	for i := range 3 {
		newer = append(newer, e.ask(t, e.fx.Other, fmt.Sprintf("Newer question number %d", i)))
	}
	ids := func(q thread.Query) []int64 {
		t.Helper()
		page, err := e.threads.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, l := range page.Threads {
			out = append(out, l.ID)
		}
		return out
	}
	before := e.head(t)
	if err := e.s.Pin(ctx, e.fx.Moderator, old.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Pin(ctx, e.fx.Moderator, old.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := e.topics(t, before); !slices.Equal(got, []string{"thread.pinned"}) {
		t.Errorf("events %v", got)
	}
	want := []int64{old.ID, newer[2].ID, newer[1].ID, newer[0].ID}
	if got := ids(thread.Query{BoardID: e.board.ID}); !slices.Equal(got, want) {
		t.Errorf("board list %v, want %v", got, want)
	}
	if got := ids(thread.Query{}); got[0] == old.ID {
		t.Errorf("pinned first on the home page too: %v", got)
	}
	first, err := e.threads.List(ctx, thread.Query{BoardID: e.board.ID, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	second := ids(thread.Query{BoardID: e.board.ID, Limit: 2, Cursor: first.Next})
	if slices.Contains(second, old.ID) || len(second) != 1 {
		t.Errorf("second page %v", second)
	}
	if err := e.s.Unpin(ctx, e.fx.Moderator, old.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := ids(thread.Query{BoardID: e.board.ID}); got[len(got)-1] != old.ID {
		t.Errorf("after unpinning %v", got)
	}
	if a := e.lastAudit(t); a.Action != audit.UnpinThread {
		t.Errorf("audit %+v", a)
	}
}

// TestHideThread: a hidden thread does not exist for guests and members, its
// author sees it and why, staff see it; it leaves lists and counts, and comes
// back restored.
func TestHideThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	th := e.ask(t, e.fx.Member, "Buy cheap routers here")
	if err := e.s.HideThread(ctx, e.fx.Other, th.ID, ""); !errors.Is(err, thread.ErrForbidden) {
		t.Errorf("a member hides: %v", err)
	}
	if err := e.s.HideThread(ctx, e.fx.Moderator, th.ID, "advertising"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name string
		u    *user.User
		sees bool
	}{{"guest", nil, false}, {"member", e.fx.Other, false}, {"agent", e.fx.Agent, false}, {"author", e.fx.Member, true}, {"moderator", e.fx.Moderator, true}} {
		_, err := e.threads.View(ctx, v.u, th.ID)
		if sees := err == nil; sees != v.sees || err != nil && !errors.Is(err, thread.ErrNotFound) {
			t.Errorf("%s: View error %v, want seeing %v", v.name, err, v.sees)
		}
	}
	notices, _ := e.threads.Notices(ctx, e.fx.Member, e.get(t, th.ID))
	if len(notices) != 1 || notices[0].Kind != thread.NoticeHidden || notices[0].Reason != "advertising" {
		t.Errorf("the author's notices %+v", notices)
	}
	if slices.Contains(listed(t, e), th.ID) || e.boardCount(t, e.board.ID) != 0 {
		t.Errorf("hidden thread listed or counted (%d)", e.boardCount(t, e.board.ID))
	}
	if a := e.lastAudit(t); a.Action != audit.HideThread || a.Reason != "advertising" || *a.MemberID != e.fx.Member.ID {
		t.Errorf("audit %+v", a)
	}
	// Deleting the hidden question counts it out once, not twice.
	q := e.questionOf(t, th)
	if _, err := e.s.Delete(ctx, e.fx.Moderator, q); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Restore(ctx, e.fx.Moderator, q); err != nil {
		t.Fatal(err)
	}
	if err := e.s.RestoreThread(ctx, e.fx.Moderator, th.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.threads.View(ctx, nil, th.ID); err != nil {
		t.Errorf("a guest after restoring: %v", err)
	}
	if !slices.Contains(listed(t, e), th.ID) || e.boardCount(t, e.board.ID) != 1 {
		t.Errorf("restored thread not listed or counted (%d)", e.boardCount(t, e.board.ID))
	}
}

// TestReplyRacingAMerge: an answer written while its thread is being merged is
// refused, never left behind in the merged thread, on both databases.
func TestReplyRacingAMerge(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	source := e.ask(t, e.fx.Member, "Router drops Wi-Fi every night")
	target := e.ask(t, e.fx.Other, "Wi-Fi gone at night since the update")
	merged, proceed, done := make(chan struct{}), make(chan struct{}), make(chan error, 2)
	go func() {
		done <- e.db.InTx(ctx, func(ctx context.Context) error {
			_, err := e.s.Merge(ctx, e.fx.Moderator, source.ID, target.ID, "")
			close(merged)
			if err != nil {
				return err
			}
			<-proceed
			return nil
		})
	}()
	<-merged
	go func() {
		_, err := e.threads.Reply(ctx, e.fx.Other, source.ID, "A late answer")
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // the reply runs into the open merge
	close(proceed)
	var errs []error
	for range 2 {
		errs = append(errs, <-done)
	}
	var refused bool
	for _, err := range errs {
		switch {
		case errors.Is(err, thread.ErrNotFound):
			refused = true
		case err != nil:
			t.Fatal(err)
		}
	}
	var left int64
	if err := e.db.Reader(ctx).Table("posts").Where("thread_id = ?", source.ID).Count(&left).Error; err != nil {
		t.Fatal(err)
	}
	if !refused || left != 0 {
		t.Errorf("reply refused %v, %d posts left in the merged thread", refused, left)
	}
}
